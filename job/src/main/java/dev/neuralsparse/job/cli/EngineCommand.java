package dev.neuralsparse.job.cli;

import ai.djl.engine.Engine;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Set;

/**
 * {@code neural-sparse engine}: starts DJL's PyTorch engine and says which libtorch and how many
 * GPUs it sees. The first start on a machine with {@code ai.djl.offline=false} downloads the
 * native build that {@code PYTORCH_FLAVOR} names, which is how the GPU image bakes it in.
 */
final class EngineCommand implements Command {
    @Override
    public String name() {
        return "engine";
    }

    @Override
    public String summary() {
        return "start DJL's PyTorch engine: its version and the GPUs it sees";
    }

    @Override
    public String help() {
        return "Usage: neural-sparse engine\n\nPrints the PyTorch engine version, its native library and the GPU count.";
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        CliArgs.parse(name(), argv, Set.of(), Set.of());
        Engine engine = Engine.getEngine("PyTorch");
        out.println("engine " + engine.getEngineName() + " " + engine.getVersion() + ", GPUs: " + engine.getGpuCount());
        return 0;
    }
}
