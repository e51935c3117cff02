package dev.neuralsparse.encoder;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** The floating-point type of the weights and activations of a forward pass. */
public enum Precision {
    FP32(DataType.FLOAT32),
    /** Half precision, GPU only: PyTorch's CPU kernels for fp16 matmul are slow or missing. */
    FP16(DataType.FLOAT16);

    private final DataType dataType;

    Precision(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Parses {@code fp32} or {@code fp16}; bf16 is refused because DJL 0.36 aborts the process on it. */
    public static Precision parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        switch (v) {
            case "fp32":
            case "float32":
                return FP32;
            case "fp16":
            case "float16":
            case "half":
                return FP16;
            case "bf16":
            case "bfloat16":
                throw new IllegalArgumentException(
                        "precision '" + value + "' is not supported: DJL 0.36 cannot run bfloat16;"
                                + " use fp16 on a GPU or fp32");
            default:
                throw new IllegalArgumentException(
                        "unknown precision '" + value + "'; expected fp32 or fp16 (GPU only)");
        }
    }
}
