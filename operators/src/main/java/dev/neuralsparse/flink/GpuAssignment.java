package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.DeviceSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Which device a subtask encodes on. Flink hands every slot of a TaskManager the same set of GPU
 * indices, so each subtask takes one of them by its index modulo their number: the slots of a
 * TaskManager with N GPUs spread over all N, and one shared encoder per device per JVM serves the
 * slots on it. The indices Flink reports are physical ones; under {@code CUDA_VISIBLE_DEVICES}
 * CUDA numbers only the listed devices, from 0, so a physical index is mapped to its position in
 * that list.
 */
final class GpuAssignment {
    private GpuAssignment() {}

    /**
     * @param flinkGpus the indices of Flink's external resource {@code gpu}, or null when the job
     *     does not run with {@code --gpu}
     * @param cudaVisibleDevices the environment variable, or null
     * @param visibleGpus how many GPUs the engine sees
     */
    static DeviceSpec forSubtask(DeviceSpec requested, Collection<String> flinkGpus, int subtask,
            String cudaVisibleDevices, int visibleGpus) {
        if (flinkGpus != null) {
            if (flinkGpus.isEmpty()) {
                throw new IllegalStateException("the encoder runs with --gpu, but this TaskManager has no external"
                        + " resource 'gpu' (see deploy/flink/config-gpu.yaml for Flink's GPU configuration)");
            }
            int[] physical = flinkGpus.stream().mapToInt(i -> Integer.parseInt(i.trim())).sorted().toArray();
            return DeviceSpec.gpu(cudaOrdinal(physical[subtask % physical.length], cudaVisibleDevices));
        }
        if (requested.isUnindexedGpu() && visibleGpus > 0) {
            return DeviceSpec.gpu(subtask % visibleGpus);
        }
        return requested;
    }

    private static int cudaOrdinal(int physical, String cudaVisibleDevices) {
        if (cudaVisibleDevices == null || cudaVisibleDevices.isBlank()) {
            return physical;
        }
        List<String> visible = Arrays.stream(cudaVisibleDevices.split(",")).map(String::trim).toList();
        int ordinal = visible.indexOf(Integer.toString(physical));
        if (ordinal < 0) {
            throw new IllegalStateException("Flink assigned GPU " + physical + ", which CUDA_VISIBLE_DEVICES="
                    + cudaVisibleDevices + " hides from this process");
        }
        return ordinal;
    }
}
