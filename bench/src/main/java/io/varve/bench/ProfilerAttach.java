package io.varve.bench;

import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM with the JDK's Attach API, for {@code bench/profile.sh}:
 * async-profiler's library is loaded once with {@code start,...} and again with {@code stop,...},
 * so only the workload is profiled, not the broker's start-up. {@code jcmd JVMTI.agent_load} cannot
 * do this: jcmd parses the {@code key=value} pairs of the agent's options as its own.
 *
 * <p>Usage: {@code ProfilerAttach PID AGENT_LIBRARY OPTIONS}.
 */
public final class ProfilerAttach {
    private ProfilerAttach() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: ProfilerAttach PID AGENT_LIBRARY OPTIONS");
            System.exit(64);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}
