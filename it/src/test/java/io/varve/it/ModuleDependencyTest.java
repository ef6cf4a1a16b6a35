package io.varve.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Enforces the module order of docs/architecture.md §2 ({@code metadata ← storage ← partition ← {group,
 * txn} ← transport ← actors ← connectors ← junit5}), that nobody imports another module's {@code internal}
 * package, and that {@code storage} stays plain Java without Pekko.
 */
class ModuleDependencyTest {

    private static final List<String> MODULES =
            List.of("metadata", "storage", "partition", "group", "txn", "transport", "actors", "connectors", "junit5");

    private static JavaClasses varve;

    @BeforeAll
    static void importVarve() {
        varve = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.varve");
    }

    @Test
    void modulesDependOnlyDownwards() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .withOptionalLayers(true)
                .layer("metadata")
                .definedBy("io.varve.metadata..")
                .layer("storage")
                .definedBy("io.varve.storage..")
                .layer("partition")
                .definedBy("io.varve.partition..")
                .layer("group")
                .definedBy("io.varve.group..")
                .layer("txn")
                .definedBy("io.varve.txn..")
                .layer("transport")
                .definedBy("io.varve.transport..")
                .layer("actors")
                .definedBy("io.varve.actors..")
                .layer("connectors")
                .definedBy("io.varve.connectors..")
                .layer("junit5")
                .definedBy("io.varve.junit5..")
                .whereLayer("junit5")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("connectors")
                .mayOnlyBeAccessedByLayers("junit5")
                .whereLayer("actors")
                .mayOnlyBeAccessedByLayers("connectors", "junit5")
                .whereLayer("transport")
                .mayOnlyBeAccessedByLayers("actors", "connectors", "junit5")
                .whereLayer("group")
                .mayOnlyBeAccessedByLayers("transport", "actors", "connectors", "junit5")
                .whereLayer("txn")
                .mayOnlyBeAccessedByLayers("transport", "actors", "connectors", "junit5")
                .whereLayer("partition")
                .mayOnlyBeAccessedByLayers("group", "txn", "transport", "actors", "connectors", "junit5")
                .whereLayer("storage")
                .mayOnlyBeAccessedByLayers("partition", "group", "txn", "transport", "actors", "connectors", "junit5")
                .check(varve);
    }

    @Test
    void nobodyImportsAnotherModulesInternalPackage() {
        for (String module : MODULES) {
            String root = "io.varve." + module + "..";
            noClasses()
                    .that()
                    .resideOutsideOfPackage(root)
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.varve." + module + "..internal..")
                    .allowEmptyShould(true)
                    .because("internal packages are private to their module")
                    .check(varve);
        }
    }

    @Test
    void storageIsPlainJava() {
        noClasses()
                .that()
                .resideInAPackage("io.varve.storage..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.apache.pekko..")
                .allowEmptyShould(true)
                .because("storage is confined by contract to the actor that owns a log (STYLE.md)")
                .check(varve);
    }
}
