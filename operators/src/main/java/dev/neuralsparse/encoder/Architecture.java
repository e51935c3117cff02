package dev.neuralsparse.encoder;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The masked-LM architectures whose forward pass {@link MaskedLanguageModel} implements. */
public enum Architecture {
    /** doc-v2-distill, doc-v3-distill: DistilBERT, no token types, LayerNorm eps fixed at 1e-12. */
    DISTILBERT("DistilBertForMaskedLM"),
    /** doc-v1, doc-v2-mini, SPLADE: BERT with token-type embeddings and the config's eps. */
    BERT("BertForMaskedLM"),
    /**
     * doc-v3-gte: Alibaba's GTE ("new") encoder: rotary position embeddings instead of a position
     * table, one fused QKV projection, a gated MLP, post-LayerNorm blocks, a BERT-style LM head.
     */
    GTE("NewForMaskedLM");

    private final String configName;

    Architecture(String configName) {
        this.configName = configName;
    }

    /** The name as it appears in the {@code architectures} list of {@code config.json}. */
    public String configName() {
        return configName;
    }

    static Architecture fromConfigName(String name, Object source) {
        for (Architecture a : values()) {
            if (a.configName.equals(name)) {
                return a;
            }
        }
        String supported =
                Arrays.stream(values()).map(Architecture::configName).collect(Collectors.joining(", "));
        throw new ModelLoadException(
                "Unsupported architecture '" + name + "' in " + source + "; supported: " + supported);
    }
}
