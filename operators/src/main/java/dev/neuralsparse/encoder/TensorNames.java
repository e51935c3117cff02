package dev.neuralsparse.encoder;

/** The Hugging Face state-dict names of each weight, per architecture. */
interface TensorNames {
    String wordEmbeddings();

    String positionEmbeddings();

    /** Null where the architecture has no token types. */
    String tokenTypeEmbeddings();

    String embeddingNorm();

    String query(int layer);

    String key(int layer);

    String value(int layer);

    String attnOut(int layer);

    String attnNorm(int layer);

    String ffnIn(int layer);

    String ffnOut(int layer);

    String ffnNorm(int layer);

    String headDense();

    String headNorm();

    /** Absent in checkpoints with tied embeddings. */
    String decoderWeight();

    String decoderBias();

    /** Where older exports keep the output bias. */
    String decoderBiasAlt();

    static TensorNames of(Architecture architecture) {
        switch (architecture) {
            case DISTILBERT:
                return new DistilBert();
            case GTE:
                return new Gte();
            default:
                return new Bert();
        }
    }

    /**
     * {@code NewForMaskedLM} (GTE). The query, key and value are one {@code qkv_proj} (q, k, v
     * in that order along the output), {@code ffnIn} is the gated MLP's {@code up_gate_proj}
     * (up, then gate; no bias). The LM head is named {@code dense}/{@code norm} in Alibaba's
     * original modeling code and {@code transform.0}/{@code transform.2} in a later port;
     * {@link MlmWeights} takes whichever the checkpoint has.
     */
    final class Gte implements TensorNames {
        private static String layer(int i) {
            return "new.encoder.layer." + i + ".";
        }

        public String wordEmbeddings() { return "new.embeddings.word_embeddings.weight"; }
        public String positionEmbeddings() { return null; }
        public String tokenTypeEmbeddings() { return "new.embeddings.token_type_embeddings.weight"; }
        public String embeddingNorm() { return "new.embeddings.LayerNorm"; }
        public String query(int i) { return layer(i) + "attention.qkv_proj"; }
        public String key(int i) { return null; }
        public String value(int i) { return null; }
        public String attnOut(int i) { return layer(i) + "attention.o_proj"; }
        public String attnNorm(int i) { return layer(i) + "attn_ln"; }
        public String ffnIn(int i) { return layer(i) + "mlp.up_gate_proj"; }
        public String ffnOut(int i) { return layer(i) + "mlp.down_proj"; }
        public String ffnNorm(int i) { return layer(i) + "mlp_ln"; }
        public String headDense() { return "lm_head.dense"; }
        public String headNorm() { return "lm_head.norm"; }
        public String decoderWeight() { return "lm_head.decoder.weight"; }
        public String decoderBias() { return "lm_head.decoder.bias"; }
        public String decoderBiasAlt() { return "lm_head.decoder.bias"; }

        /** The later port's names of the head's dense and norm. */
        static final String HEAD_DENSE_ALT = "lm_head.transform.0";
        static final String HEAD_NORM_ALT = "lm_head.transform.2";
    }

    /** {@code DistilBertForMaskedLM}. */
    final class DistilBert implements TensorNames {
        private static String layer(int i) {
            return "distilbert.transformer.layer." + i + ".";
        }

        public String wordEmbeddings() { return "distilbert.embeddings.word_embeddings.weight"; }
        public String positionEmbeddings() { return "distilbert.embeddings.position_embeddings.weight"; }
        public String tokenTypeEmbeddings() { return null; }
        public String embeddingNorm() { return "distilbert.embeddings.LayerNorm"; }
        public String query(int i) { return layer(i) + "attention.q_lin"; }
        public String key(int i) { return layer(i) + "attention.k_lin"; }
        public String value(int i) { return layer(i) + "attention.v_lin"; }
        public String attnOut(int i) { return layer(i) + "attention.out_lin"; }
        public String attnNorm(int i) { return layer(i) + "sa_layer_norm"; }
        public String ffnIn(int i) { return layer(i) + "ffn.lin1"; }
        public String ffnOut(int i) { return layer(i) + "ffn.lin2"; }
        public String ffnNorm(int i) { return layer(i) + "output_layer_norm"; }
        public String headDense() { return "vocab_transform"; }
        public String headNorm() { return "vocab_layer_norm"; }
        public String decoderWeight() { return "vocab_projector.weight"; }
        public String decoderBias() { return "vocab_projector.bias"; }
        public String decoderBiasAlt() { return "vocab_projector.bias"; }
    }

    /** {@code BertForMaskedLM}. */
    final class Bert implements TensorNames {
        private static String layer(int i) {
            return "bert.encoder.layer." + i + ".";
        }

        public String wordEmbeddings() { return "bert.embeddings.word_embeddings.weight"; }
        public String positionEmbeddings() { return "bert.embeddings.position_embeddings.weight"; }
        public String tokenTypeEmbeddings() { return "bert.embeddings.token_type_embeddings.weight"; }
        public String embeddingNorm() { return "bert.embeddings.LayerNorm"; }
        public String query(int i) { return layer(i) + "attention.self.query"; }
        public String key(int i) { return layer(i) + "attention.self.key"; }
        public String value(int i) { return layer(i) + "attention.self.value"; }
        public String attnOut(int i) { return layer(i) + "attention.output.dense"; }
        public String attnNorm(int i) { return layer(i) + "attention.output.LayerNorm"; }
        public String ffnIn(int i) { return layer(i) + "intermediate.dense"; }
        public String ffnOut(int i) { return layer(i) + "output.dense"; }
        public String ffnNorm(int i) { return layer(i) + "output.LayerNorm"; }
        public String headDense() { return "cls.predictions.transform.dense"; }
        public String headNorm() { return "cls.predictions.transform.LayerNorm"; }
        public String decoderWeight() { return "cls.predictions.decoder.weight"; }
        public String decoderBias() { return "cls.predictions.bias"; }
        public String decoderBiasAlt() { return "cls.predictions.decoder.bias"; }
    }
}
