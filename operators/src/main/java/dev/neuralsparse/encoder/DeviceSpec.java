package dev.neuralsparse.encoder;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.io.Serializable;
import java.util.Locale;

/**
 * Where the model runs: {@code cpu}, {@code gpu}, {@code gpu:N} or {@code auto} (the first GPU
 * when the PyTorch engine sees one, else the CPU). Kept as text so it can travel in a
 * serializable spec and be resolved on the machine that runs the model.
 */
public final class DeviceSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String value;

    private DeviceSpec(String value) {
        this.value = value;
    }

    public static DeviceSpec cpu() {
        return new DeviceSpec("cpu");
    }

    public static DeviceSpec gpu(int index) {
        return new DeviceSpec("gpu:" + index);
    }

    public static DeviceSpec parse(String text) {
        String v = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (v.equals("cpu") || v.equals("auto") || v.equals("gpu")) {
            return new DeviceSpec(v);
        }
        if (v.startsWith("gpu:") || v.startsWith("cuda:")) {
            String index = v.substring(v.indexOf(':') + 1);
            if (index.matches("\\d{1,3}")) {
                return gpu(Integer.parseInt(index));
            }
        }
        throw new IllegalArgumentException(
                "unknown device '" + text + "'; expected cpu, gpu, gpu:N or auto");
    }

    /** True for {@code gpu} and {@code auto}: a GPU without an index, for the caller to choose. */
    public boolean isUnindexedGpu() {
        return value.equals("gpu") || value.equals("auto");
    }

    /** True unless this names a GPU explicitly; {@code auto} may still resolve to a GPU. */
    public boolean isExplicitCpu() {
        return value.equals("cpu");
    }

    /** Resolves to a DJL device. Fails clearly when a GPU is asked for and there is none. */
    public Device resolve() {
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        if (value.equals("auto")) {
            return gpus > 0 ? Device.gpu(0) : Device.cpu();
        }
        int index = value.equals("gpu") ? 0 : Integer.parseInt(value.substring(4));
        if (index >= gpus) {
            throw new IllegalArgumentException(
                    "device '" + value + "' asked for, but the PyTorch engine sees " + gpus
                            + " GPU(s); is a CUDA build of libtorch installed (PYTORCH_LIBRARY_PATH)?");
        }
        return Device.gpu(index);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeviceSpec && ((DeviceSpec) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
