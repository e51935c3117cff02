package dev.neuralsparse.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.neuralsparse.job.cli.JobCommandLine;
import dev.neuralsparse.job.pipeline.JobOptions;
import dev.neuralsparse.job.stack.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * There is no Docker engine or Kubernetes here, so the deployment files are checked as data:
 * pinned images, ports and topics consistent with the job's defaults, job arguments that the
 * job's own option parser accepts, the GPU reservation and external-resource configuration.
 */
class DeployConfigTest {
    private static final Path HOME = Paths.get(System.getProperty("neural.sparse.home", "..")).toAbsolutePath().normalize();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String path) throws IOException {
        return new Yaml().load(Files.readString(HOME.resolve(path)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return (List<String>) o;
    }

    private static Map<String, Object> services() throws IOException {
        return map(yaml("docker-compose.yml").get("services"));
    }

    @Test
    void composeImagesArePinned() throws IOException {
        services().forEach((name, s) -> {
            String image = (String) map(s).get("image");
            assertThat(image).as("image of %s", name).isNotNull().contains(":").doesNotEndWith(":latest");
            assertThat(image.substring(image.lastIndexOf(':') + 1)).as("tag of %s", name).matches(".*\\d.*");
        });
    }

    @Test
    void composePortsAreTheDefaultsOfTheCommandLineAndTheJob() throws IOException {
        Map<String, Object> services = services();
        assertThat(strings(map(services.get("kafka")).get("ports"))).contains(LocalStack.DEFAULT_KAFKA_PORT + ":9092");
        assertThat(strings(map(services.get("opensearch")).get("ports"))).contains(LocalStack.DEFAULT_OPENSEARCH_PORT + ":9200");
        assertThat(JobOptions.KAFKA.defaultValue()).endsWith(":" + LocalStack.DEFAULT_KAFKA_PORT);
        assertThat(URI.create(JobOptions.OPENSEARCH.defaultValue()).getPort()).isEqualTo(LocalStack.DEFAULT_OPENSEARCH_PORT);
        for (String s : List.of("kafka", "opensearch", "jobmanager")) {
            assertThat(map(services.get(s))).as("healthcheck of %s", s).containsKey("healthcheck");
        }
        Map<String, Object> volumes = map(yaml("docker-compose.yml").get("volumes"));
        assertThat(volumes).containsKeys("kafka-data", "opensearch-data", "flink-checkpoints", "model-cache");
    }

    @Test
    void theSubmittedJobParsesAndReadsWhatTheLoaderWrites() throws IOException {
        Map<String, Object> services = services();
        List<String> submit = strings(map(services.get("job-submit")).get("command"));
        assertThat(submit.subList(0, 2)).containsExactly("flink", "run");
        int jar = submit.indexOf("/opt/flink/usrlib/neural-sparse-flink.jar");
        assertThat(jar).isPositive();
        Configuration job = JobCommandLine.parse("flink run", submit.subList(jar + 1, submit.size()).toArray(new String[0]));

        List<String> loader = strings(map(services.get("loader")).get("entrypoint"));
        assertThat(loader.get(loader.indexOf("--topic") + 1)).isEqualTo(job.get(JobOptions.TOPIC));
        assertThat(loader.get(loader.indexOf("--kafka") + 1)).isEqualTo(job.get(JobOptions.KAFKA));
        String advertised = (String) map(map(services.get("kafka")).get("environment")).get("KAFKA_ADVERTISED_LISTENERS");
        assertThat(advertised).contains("//" + job.get(JobOptions.KAFKA));
        assertThat(URI.create(job.get(JobOptions.OPENSEARCH)).getHost()).isEqualTo("opensearch");
        assertThat(job.get(JobOptions.DLQ_TOPIC)).isNotBlank();
        assertThat(job.get(JobOptions.INDEX)).isNotBlank();
    }

    @Test
    void theGpuTaskManagerReservesAnNvidiaDeviceAndDeclaresTheExternalResource() throws IOException {
        Map<String, Object> gpu = map(services().get("taskmanager-gpu"));
        assertThat(strings(gpu.get("profiles"))).containsExactly("gpu");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> devices = (List<Map<String, Object>>)
                map(map(map(gpu.get("deploy")).get("resources")).get("reservations")).get("devices");
        assertThat(devices.get(0)).containsEntry("driver", "nvidia");
        assertThat(strings(devices.get(0).get("capabilities"))).contains("gpu");
        String properties = (String) map(gpu.get("environment")).get("FLINK_PROPERTIES");
        Map<String, Object> flinkGpu = yaml("deploy/flink/config-gpu.yaml");
        for (String key : List.of("external-resources", "external-resource.gpu.driver-factory.class",
                "external-resource.gpu.amount", "external-resource.gpu.param.discovery-script.path")) {
            assertThat(properties).as("FLINK_PROPERTIES of the GPU TaskManager").contains(key + ": " + flinkGpu.get(key));
        }
        assertThat(flinkGpu.get("external-resources")).isEqualTo("gpu");
    }

    @Test
    void theGpuProfileSubmitsTheJobWithGpuAfterTheGpuTaskManagerAndTheCpuSubmitDoesNot() throws IOException {
        Map<String, Object> gpuSubmit = map(services().get("job-submit-gpu"));
        assertThat(strings(gpuSubmit.get("profiles"))).containsExactly("gpu");
        assertThat(map(gpuSubmit.get("depends_on"))).containsKey("taskmanager-gpu").doesNotContainKey("taskmanager");
        Configuration gpu = submittedJob("job-submit-gpu");
        assertThat(gpu.get(JobOptions.GPU)).isTrue();
        assertThat(gpu.get(JobOptions.DEVICE)).isEqualTo("gpu");
        assertThat(gpu.get(JobOptions.PRECISION)).isEqualTo("fp16");
        Configuration cpu = submittedJob("job-submit");
        assertThat(cpu.get(JobOptions.GPU)).isFalse();
        assertThat(map(services().get("job-submit"))).doesNotContainKey("profiles");
        assertThat(gpu.get(JobOptions.TOPIC)).isEqualTo(cpu.get(JobOptions.TOPIC));
        assertThat(gpu.get(JobOptions.INDEX)).isEqualTo(cpu.get(JobOptions.INDEX));
    }

    private static Configuration submittedJob(String service) throws IOException {
        List<String> submit = strings(map(services().get(service)).get("command"));
        int jar = submit.indexOf("/opt/flink/usrlib/neural-sparse-flink.jar");
        return JobCommandLine.parse("flink run", submit.subList(jar + 1, submit.size()).toArray(new String[0]));
    }

    /** Every Flink key of the deploy files is one that Flink 1.20 reads: no silently ignored setting. */
    @Test
    void everyFlinkSettingIsAKeyFlinkReads() throws Exception {
        Set<String> known = FlinkKeys.known();
        Map<String, Object> settings = new LinkedHashMap<>(yaml("deploy/flink/config-gpu.yaml"));
        for (String file : List.of("deploy/kubernetes/flinkdeployment.yaml", "deploy/kubernetes/flinkdeployment-gpu.yaml")) {
            settings.putAll(map(map(yaml(file).get("spec")).get("flinkConfiguration")));
        }
        for (String properties : List.of((String) map(map(services().get("jobmanager")).get("environment")).get("FLINK_PROPERTIES"),
                (String) map(map(services().get("taskmanager-gpu")).get("environment")).get("FLINK_PROPERTIES"))) {
            settings.putAll(new Yaml().load(properties));
        }
        assertThat(settings.keySet()).isNotEmpty().allSatisfy(key -> assertThat(FlinkKeys.isRead(key, known)).as(key).isTrue());
        assertThat(FlinkKeys.isRead("cluster.fine-grained-resource-management.enabled", known)).isFalse();
    }

    @Test
    void kubernetesDeploymentsRunTheJarOfTheImageWithValidArguments() throws IOException {
        for (String file : List.of("deploy/kubernetes/flinkdeployment.yaml", "deploy/kubernetes/flinkdeployment-gpu.yaml")) {
            Map<String, Object> d = yaml(file);
            assertThat(d.get("kind")).as(file).isEqualTo("FlinkDeployment");
            Map<String, Object> spec = map(d.get("spec"));
            assertThat(spec.get("flinkVersion")).isEqualTo("v1_20");
            assertThat((String) spec.get("image")).matches(".*:\\d[^:]*");
            Map<String, Object> job = map(spec.get("job"));
            assertThat(job.get("jarURI")).isEqualTo("local:///opt/flink/usrlib/neural-sparse-flink.jar");
            Configuration conf = JobCommandLine.parse("flink run", strings(job.get("args")).toArray(new String[0]));
            assertThat(conf.get(JobOptions.TOPIC)).isNotBlank();
        }
        Map<String, Object> gpu = map(yaml("deploy/kubernetes/flinkdeployment-gpu.yaml").get("spec"));
        Map<String, Object> flinkConf = map(gpu.get("flinkConfiguration"));
        assertThat(flinkConf).containsEntry("external-resources", "gpu")
                .containsEntry("external-resource.gpu.driver-factory.class",
                        "org.apache.flink.externalresource.gpu.GPUDriverFactory")
                .containsEntry("external-resource.gpu.kubernetes.config-key", "nvidia.com/gpu");
        Map<String, Object> pod = map(map(map(gpu.get("taskManager")).get("podTemplate")).get("spec"));
        @SuppressWarnings("unchecked")
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        assertThat(map(map(container.get("resources")).get("limits"))).containsEntry("nvidia.com/gpu", 1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tolerations = (List<Map<String, Object>>) pod.get("tolerations");
        assertThat(tolerations).anyMatch(t -> "nvidia.com/gpu".equals(t.get("key")));
        assertThat(JobCommandLine.parse("flink run", strings(map(gpu.get("job")).get("args")).toArray(new String[0]))
                .get(JobOptions.GPU)).isTrue();
    }

    @Test
    void imagesPutTheJobInUsrlibAndDjlInLib() throws IOException {
        String cpu = Files.readString(HOME.resolve("deploy/docker/Dockerfile"));
        assertThat(cpu).containsPattern("(?m)^FROM flink:1\\.20\\.\\d+-scala_2\\.12-java17$");
        assertThat(cpu).contains("COPY job/target/neural-sparse-flink.jar /opt/flink/usrlib/neural-sparse-flink.jar");
        assertThat(cpu).contains("COPY job/target/flink-lib/*.jar /opt/flink/lib/");
        String gpu = Files.readString(HOME.resolve("deploy/docker/Dockerfile.gpu"));
        assertThat(gpu).contains("FROM " + map(services().get("taskmanager")).get("image"));
        assertThat(gpu).contains("PYTORCH_FLAVOR=cu").contains("plugins/external-resource-gpu");
        // Which jars end up in lib/ is checked against the built flink-lib/ by ImageContentsITCase.
    }
}
