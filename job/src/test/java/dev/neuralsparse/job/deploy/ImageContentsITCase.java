package dev.neuralsparse.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What the images' {@code /opt/flink/lib} will hold, computed from the Dockerfiles' COPY and rm
 * steps over the {@code job/target/flink-lib} that {@code package} built (hence an ITCase: it runs
 * after packaging). No Docker engine here, so the images are checked as data.
 */
class ImageContentsITCase {
    private static final Path HOME = Paths.get(System.getProperty("neural.sparse.home", "..")).toAbsolutePath().normalize();
    private static final Pattern REMOVE = Pattern.compile("rm (?:-f )?/opt/flink/lib/(\\S+)");
    private static final Pattern FLAVOR = Pattern.compile("PYTORCH_FLAVOR=(\\S+)");

    private static TreeSet<String> flinkLib() throws IOException {
        try (Stream<Path> jars = Files.list(HOME.resolve("job/target/flink-lib"))) {
            return jars.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    /** lib/ after the Dockerfile's removals, in the order of its lines, up to {@code until} (or the end). */
    private static TreeSet<String> libAfter(TreeSet<String> lib, String dockerfile, String until) {
        TreeSet<String> out = new TreeSet<>(lib);
        for (String line : dockerfile.split("\n")) {
            if (until != null && line.contains(until)) {
                break;
            }
            Matcher rm = REMOVE.matcher(line);
            while (rm.find()) {
                var glob = FileSystems.getDefault().getPathMatcher("glob:" + rm.group(1));
                out.removeIf(jar -> glob.matches(Paths.get(jar)));
            }
        }
        return out;
    }

    @Test
    void theCpuImageCarriesTheCpuBuildAndTheGpuImageOnlyTheCudaBuildBeforeItStartsTheEngine() throws IOException {
        TreeSet<String> cpu = flinkLib();
        assertThat(cpu).anyMatch(j -> j.startsWith("pytorch-native-cpu-")).anyMatch(j -> j.startsWith("pytorch-jni-"))
                .anyMatch(j -> j.startsWith("pytorch-engine-")).anyMatch(j -> j.startsWith("tokenizers-"));
        String gpuFile = Files.readString(HOME.resolve("deploy/docker/Dockerfile.gpu"));
        TreeSet<String> gpuAtEngineStart = libAfter(cpu, gpuFile, "NeuralSparseCli engine");
        assertThat(gpuAtEngineStart).as("lib/ when the GPU image starts DJL to fetch CUDA libtorch")
                .noneMatch(j -> j.startsWith("pytorch-native-"))
                .anyMatch(j -> j.startsWith("pytorch-engine-")).anyMatch(j -> j.startsWith("pytorch-jni-"));
        assertThat(libAfter(cpu, gpuFile, null)).isEqualTo(gpuAtEngineStart);
    }

    @Test
    void theGpuImagesCudaFlavorIsOneWhoseJniLibraryShipsInPytorchJni() throws IOException {
        Matcher m = FLAVOR.matcher(Files.readString(HOME.resolve("deploy/docker/Dockerfile.gpu")));
        assertThat(m.find()).as("PYTORCH_FLAVOR in Dockerfile.gpu").isTrue();
        String flavor = m.group(1);
        Path jni;
        try (Stream<Path> jars = Files.list(HOME.resolve("job/target/flink-lib"))) {
            jni = jars.filter(p -> p.getFileName().toString().startsWith("pytorch-jni-")).findFirst().orElseThrow();
        }
        List<String> flavors = new ArrayList<>();
        try (ZipFile zip = new ZipFile(jni.toFile())) {
            zip.stream().map(e -> e.getName()).filter(n -> n.matches("jnilib/linux-x86_64/[^/]+/libdjl_torch\\.so"))
                    .forEach(n -> flavors.add(n.split("/")[2]));
        }
        assertThat(flavors).as("JNI flavors in " + jni.getFileName()).contains(flavor);
        assertThat(flavor).startsWith("cu");
    }
}
