package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How a model folder turns masked-LM logits into a document vector: where the transformer's files
 * are, which activation is applied, and where that was read. A folder without sentence-transformers
 * files follows the model card's recipe (v2 and earlier): {@code log(1 + relu(max logits))}. A
 * folder with them ({@code modules.json}, a {@code Router} with {@code router_config.json}, a
 * {@code SpladePooling} module's {@code config.json}, as the v3 models ship) says its own pooling and
 * activation, and the document route is followed. What this encoder cannot do (sum pooling, another
 * activation, another module type) is refused naming the file and the value, never approximated.
 */
public record SparseRecipe(Path transformerFolder, Activation activation, String source) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROUTER = "Router";
    private static final String MLM = "MLMTransformer";
    private static final String POOLING = "SpladePooling";

    /** The activation applied to the max-pooled logits; both are monotonic, so pooling first is exact. */
    public enum Activation {
        /** {@code log(1 + relu(x))}: sentence-transformers' {@code relu}, the v2 recipe. */
        LOG1P_RELU("relu"),
        /** {@code log(1 + log(1 + relu(x)))}: sentence-transformers' {@code log1p_relu}, the v3 models. */
        LOG1P_LOG1P_RELU("log1p_relu");

        private final String stName;

        Activation(String stName) {
            this.stName = stName;
        }

        /** The name sentence-transformers' SpladePooling config uses. */
        public String stName() {
            return stName;
        }
    }

    /** The modules of the document route, as folders relative to the model folder ("" = the folder). */
    record DocumentModules(String transformer, String pooling, String described) {}

    /** Reads the recipe of a local model folder. */
    public static SparseRecipe read(Path folder) {
        DocumentModules modules = documentModules(folder);
        if (modules == null) {
            return new SparseRecipe(folder, Activation.LOG1P_RELU, "the model card's recipe (no modules.json)");
        }
        Path pooling = folder.resolve(modules.pooling()).resolve("config.json");
        JsonNode config = readJson(pooling);
        String strategy = config.path("pooling_strategy").asText("max");
        if (!strategy.equals("max")) {
            throw new ModelLoadException(pooling + " asks for pooling_strategy '" + strategy + "', which this encoder"
                    + " does not support (only max)");
        }
        String name = config.path("activation_function").asText("relu");
        Activation activation = null;
        for (Activation a : Activation.values()) {
            if (a.stName().equals(name)) {
                activation = a;
            }
        }
        if (activation == null) {
            throw new ModelLoadException(pooling + " asks for activation_function '" + name + "', which this encoder"
                    + " does not support (relu or log1p_relu)");
        }
        Path transformer = folder.resolve(modules.transformer());
        if (!Files.isRegularFile(transformer.resolve("config.json"))) {
            transformer = folder; // the transformer saved at the top of the folder, as in tiny-distilbert-v3
        }
        return new SparseRecipe(transformer, activation, modules.described() + ", " + folder.relativize(pooling));
    }

    /**
     * The document route's transformer and pooling modules per {@code modules.json} (and
     * {@code router_config.json} for a Router), or null when the folder has no {@code modules.json}.
     */
    static DocumentModules documentModules(Path folder) {
        Path modulesFile = folder.resolve("modules.json");
        if (!Files.isRegularFile(modulesFile)) {
            return null;
        }
        List<String[]> modules = new ArrayList<>(); // {type, path}
        for (JsonNode m : readJson(modulesFile)) {
            modules.add(new String[] {m.path("type").asText(), m.path("path").asText("")});
        }
        String described = "modules.json";
        if (modules.size() == 1 && modules.get(0)[0].endsWith("." + ROUTER)) {
            modules = routeModules(folder.resolve(modules.get(0)[1]).resolve("router_config.json"));
            described = "modules.json, router_config.json (document route)";
        }
        String transformer = null;
        String pooling = null;
        for (String[] m : modules) {
            String type = m[0].substring(m[0].lastIndexOf('.') + 1);
            if (type.equals(MLM) && transformer == null) {
                transformer = m[1];
            } else if (type.equals(POOLING) && pooling == null) {
                pooling = m[1];
            } else {
                throw new ModelLoadException(modulesFile + ": module type '" + m[0] + "' on the document route is not"
                        + " supported (an " + MLM + " then a " + POOLING + " are)");
            }
        }
        if (transformer == null || pooling == null) {
            throw new ModelLoadException(modulesFile + ": the document route needs an " + MLM + " and a " + POOLING);
        }
        return new DocumentModules(transformer, pooling, described);
    }

    /** The modules of the document route of a Router: {type, folder named after the module}. */
    private static List<String[]> routeModules(Path routerConfig) {
        JsonNode config = readJson(routerConfig);
        String route = config.path("parameters").path("default_route").asText("document");
        JsonNode names = config.path("structure").path("document");
        if (!names.isArray()) {
            names = config.path("structure").path(route);
        }
        if (!names.isArray() || names.isEmpty()) {
            throw new ModelLoadException(routerConfig + " has no document route under 'structure'");
        }
        List<String[]> out = new ArrayList<>();
        for (JsonNode name : names) {
            String type = config.path("types").path(name.asText()).asText(null);
            if (type == null) {
                throw new ModelLoadException(routerConfig + ": module '" + name.asText() + "' has no entry in 'types'");
            }
            out.add(new String[] {type, name.asText()});
        }
        return out;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** For logs and {@code encode}'s stderr: where the recipe was read and what it says. */
    public String describe() {
        return "activation " + activation.stName() + ", pooling max (from " + source + ")";
    }
}
