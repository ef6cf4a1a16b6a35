package io.varve.metadata.controller;

import io.varve.metadata.Controller.ScramAlterResult;
import io.varve.metadata.Controller.ScramAlterResults;
import io.varve.metadata.Controller.ScramDeletion;
import io.varve.metadata.Controller.ScramUpsertion;
import io.varve.metadata.controller.ControllerEvent.ScramCredentialRemoved;
import io.varve.metadata.controller.ControllerEvent.ScramCredentialUpserted;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Decides an AlterUserScramCredentials request as Kafka's controller does: a user named twice in one
 * request (deletion or upsertion, any mechanism) gets DUPLICATE_RESOURCE; an empty name
 * UNACCEPTABLE_CREDENTIAL; an unknown mechanism UNSUPPORTED_SASL_MECHANISM; iterations outside
 * [{@value #MIN_ITERATIONS}, {@value #MAX_ITERATIONS}] UNACCEPTABLE_CREDENTIAL; deleting a credential
 * that does not exist RESOURCE_NOT_FOUND. The accepted alterations are persisted together. Plain
 * logic, owned by the controller actor.
 */
final class ScramPlanner {
    /** Kafka's minimum for both SCRAM-SHA-256 and SCRAM-SHA-512. */
    static final int MIN_ITERATIONS = 4096;
    /** Kafka's controller maximum. */
    static final int MAX_ITERATIONS = 16384;

    private static final String TWICE = "A user credential cannot be altered twice in the same request";

    private ScramPlanner() {}

    /** Whether {@code mechanism} is a SCRAM mechanism type Kafka knows: 1 (SHA-256) or 2 (SHA-512). */
    static boolean isKnown(byte mechanism) {
        return mechanism == 1 || mechanism == 2;
    }

    static Outcome<ScramAlterResults> plan(
            ClientMetadata current, List<ScramUpsertion> upsertions, List<ScramDeletion> deletions) {
        Map<String, ScramDeletion> toDelete = new LinkedHashMap<>();
        Map<String, ScramUpsertion> toUpsert = new LinkedHashMap<>();
        Map<String, ApiError> failed = new LinkedHashMap<>();
        for (ScramDeletion deletion : deletions) {
            if (failed.containsKey(deletion.user())) {
                continue;
            }
            if (toDelete.remove(deletion.user()) != null) {
                failed.put(deletion.user(), new ApiError(Errors.DUPLICATE_RESOURCE, TWICE));
                continue;
            }
            ApiError error = checkDeletion(current, deletion);
            if (error.isFailure()) {
                failed.put(deletion.user(), error);
            } else {
                toDelete.put(deletion.user(), deletion);
            }
        }
        for (ScramUpsertion upsertion : upsertions) {
            if (failed.containsKey(upsertion.user())) {
                continue;
            }
            if (toDelete.remove(upsertion.user()) != null || toUpsert.remove(upsertion.user()) != null) {
                failed.put(upsertion.user(), new ApiError(Errors.DUPLICATE_RESOURCE, TWICE));
                continue;
            }
            ApiError error = checkUpsertion(upsertion);
            if (error.isFailure()) {
                failed.put(upsertion.user(), error);
            } else {
                toUpsert.put(upsertion.user(), upsertion);
            }
        }
        List<ScramAlterResult> results = new ArrayList<>();
        List<ControllerEvent> events = new ArrayList<>();
        toDelete.values().forEach(d -> {
            results.add(new ScramAlterResult(d.user(), Errors.NONE, null));
            events.add(new ScramCredentialRemoved(d.user(), d.mechanism()));
        });
        toUpsert.values().forEach(u -> {
            results.add(new ScramAlterResult(u.user(), Errors.NONE, null));
            events.add(new ScramCredentialUpserted(u.user(), u.mechanism(), u.iterations(), u.secret()));
        });
        failed.forEach((user, error) -> results.add(new ScramAlterResult(user, error.error(), error.message())));
        return new Outcome<>(new ScramAlterResults(List.copyOf(results)), events);
    }

    private static ApiError checkDeletion(ClientMetadata current, ScramDeletion deletion) {
        ApiError error = checkNameAndMechanism(deletion.user(), deletion.mechanism());
        if (error.isFailure()) {
            return error;
        }
        if (!current.scramCredentials(deletion.user()).containsKey(deletion.mechanism())) {
            return new ApiError(Errors.RESOURCE_NOT_FOUND, "Attempt to delete a user credential that does not exist");
        }
        return ApiError.NONE;
    }

    private static ApiError checkUpsertion(ScramUpsertion upsertion) {
        ApiError error = checkNameAndMechanism(upsertion.user(), upsertion.mechanism());
        if (error.isFailure()) {
            return error;
        }
        if (upsertion.iterations() < MIN_ITERATIONS) {
            return new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Too few iterations");
        }
        if (upsertion.iterations() > MAX_ITERATIONS) {
            return new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Too many iterations");
        }
        return ApiError.NONE;
    }

    private static ApiError checkNameAndMechanism(String user, byte mechanism) {
        if (user == null || user.isEmpty()) {
            return new ApiError(Errors.UNACCEPTABLE_CREDENTIAL, "Username must not be empty");
        }
        if (!isKnown(mechanism)) {
            return new ApiError(Errors.UNSUPPORTED_SASL_MECHANISM, "Unknown SCRAM mechanism");
        }
        return ApiError.NONE;
    }
}
