package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.neuralsparse.encoder.DeviceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuAssignmentTest {
    @Test
    void subtasksSpreadOverTheGpusFlinkAssignsByIndexModuloTheirNumber() {
        List<String> gpus = List.of("3", "1");
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), gpus, 0, null, 0)).isEqualTo(DeviceSpec.gpu(1));
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), gpus, 1, null, 0)).isEqualTo(DeviceSpec.gpu(3));
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), gpus, 2, null, 0)).isEqualTo(DeviceSpec.gpu(1));
    }

    @Test
    void physicalIndicesAreMappedThroughCudaVisibleDevices() {
        List<String> gpus = List.of("2", "3");
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), gpus, 1, "2,3", 0)).isEqualTo(DeviceSpec.gpu(1));
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), gpus, 0, " 3, 2 ", 0)).isEqualTo(DeviceSpec.gpu(1));
        assertThatThrownBy(() -> GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), gpus, 0, "0", 0))
                .hasMessageContaining("CUDA_VISIBLE_DEVICES=0 hides");
    }

    @Test
    void withoutFlinksResourceAnUnindexedGpuIsChosenAmongTheVisibleOnesAndCpuStaysCpu() {
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), null, 5, null, 4)).isEqualTo(DeviceSpec.gpu(1));
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("auto"), null, 5, null, 0)).isEqualTo(DeviceSpec.parse("auto"));
        assertThat(GpuAssignment.forSubtask(DeviceSpec.cpu(), null, 3, null, 2)).isEqualTo(DeviceSpec.cpu());
        assertThat(GpuAssignment.forSubtask(DeviceSpec.parse("gpu:1"), null, 3, null, 2)).isEqualTo(DeviceSpec.gpu(1));
        assertThatThrownBy(() -> GpuAssignment.forSubtask(DeviceSpec.parse("gpu"), List.of(), 0, null, 0))
                .hasMessageContaining("no external resource 'gpu'");
    }
}
