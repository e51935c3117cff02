package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub download against a {@link LocalHub} that serves a fixture folder as the hub does. */
class ModelResolverTest {
    private static final String REPO = "opensearch-project/tiny-distilbert";
    private static final String TAGGED = "fedcba9876543210fedcba9876543210fedcba98";

    @TempDir Path cache;
    private LocalHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    private LocalHub startHub() throws IOException {
        hub = LocalHub.serving(REPO, SharedFixtures.model("tiny-distilbert"));
        return hub;
    }

    private ModelResolver resolver(String endpoint) {
        return ModelResolver.builder().setEndpoint(endpoint).setCacheDir(cache).build();
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }

    @Test
    void downloadsOneCommitOnceRecordsTheRevisionThenWorksOfflineFromTheCache() throws IOException {
        String endpoint = startHub().endpoint();
        Path folder = resolver(endpoint).resolve(REPO);
        assertThat(folder).isEqualTo(resolver(endpoint).snapshotFolder(REPO, hub.commit));
        assertThat(resolver(endpoint).repoFolder(REPO).resolve("refs/main")).hasContent(hub.commit);
        assertThat(folder.resolve("model.safetensors")).hasSameBinaryContentAs(
                SharedFixtures.model("tiny-distilbert").resolve("model.safetensors"));
        assertThat(hub.requests).contains("/cdn/model.safetensors");
        hub.close();
        hub = null;

        Path again = resolver(endpoint).resolve(REPO);
        assertThat(again).isEqualTo(folder);
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder()
                .setModel(REPO).setCacheDir(cache.toString()).build())) {
            assertThat(encoder.describe()).contains("(revision main = commit 0123456789abcdef");
            GoldenParityTest.assertMatches(GoldenParityTest.expected("tiny-distilbert").get(0),
                    encoder.encode(GoldenParityTest.expected("tiny-distilbert").get(0).get("text").asText()),
                    encoder.vocabulary());
        }
    }

    @Test
    void aRevisionIsResolvedOnceToItsCommitAndACommitNeedsNoQuestion() throws IOException {
        hub = new LocalHub(REPO, SharedFixtures.model("tiny-distilbert"), TAGGED, Map.of("v1.0", TAGGED));
        ModelResolver tagged = ModelResolver.builder().setEndpoint(hub.endpoint()).setCacheDir(cache).setRevision("v1.0").build();
        assertThat(tagged.commit(REPO)).isEqualTo(TAGGED);
        assertThat(tagged.commit(REPO)).isEqualTo(TAGGED);
        assertThat(hub.requests).filteredOn(r -> r.startsWith("/api/")).hasSize(1);
        assertThat(tagged.resolve(REPO)).isEqualTo(tagged.snapshotFolder(REPO, TAGGED));

        ModelResolver pinned = ModelResolver.builder().setEndpoint(hub.endpoint()).setCacheDir(cache).setRevision(TAGGED).build();
        assertThat(pinned.commit(REPO)).isEqualTo(TAGGED);
        assertThat(hub.requests).filteredOn(r -> r.startsWith("/api/")).hasSize(1);

        assertThatThrownBy(() -> ModelResolver.builder().setEndpoint(hub.endpoint()).setCacheDir(cache)
                .setRevision("no-such-tag").build().resolve(REPO))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("knows no revision 'no-such-tag' of " + REPO);
    }

    @Test
    void aCorruptedDownloadIsRefusedByTheDigestTheHubPublishes() throws IOException {
        startHub().setCdnFault(LocalHub.CdnFault.CORRUPT);
        assertThatThrownBy(() -> resolver(hub.endpoint()).resolve(REPO))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining("does not match the digest the hub publishes");
        List<String> names = names(resolver(hub.endpoint()).snapshotFolder(REPO, hub.commit));
        assertThat(names).contains("config.json", "tokenizer.json").doesNotContain("model.safetensors");
        assertThat(names).noneMatch(n -> n.endsWith(".part"));

        hub.setCdnFault(LocalHub.CdnFault.NONE); // the next run downloads it again, whole
        assertThat(resolver(hub.endpoint()).resolve(REPO).resolve("model.safetensors")).hasSameBinaryContentAs(
                SharedFixtures.model("tiny-distilbert").resolve("model.safetensors"));
    }

    @Test
    void anInterruptedDownloadLeavesNoHalfFile() throws IOException {
        startHub().setCdnFault(LocalHub.CdnFault.CUT);
        assertThatThrownBy(() -> resolver(hub.endpoint()).resolve(REPO))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining(REPO);
        List<String> names = names(resolver(hub.endpoint()).snapshotFolder(REPO, hub.commit));
        assertThat(names).contains("config.json", "tokenizer.json").doesNotContain("model.safetensors");
        assertThat(names).noneMatch(n -> n.endsWith(".part"));
    }

    @Test
    void unreachableHubWithNothingCachedNamesRepoAndRevision() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> resolver("http://127.0.0.1:" + closedPort).resolve(REPO))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("revision main of model " + REPO)
                .hasMessageContaining("local model folder");
    }

    @Test
    void aMissingRepositoryIsAClearError() throws IOException {
        String endpoint = startHub().endpoint();
        assertThatThrownBy(() -> resolver(endpoint).resolve("nobody/nothing"))
                .hasMessageContaining("knows no revision 'main' of nobody/nothing")
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void aLocalFolderIsUsedAsItIs() {
        Path folder = SharedFixtures.model("tiny-bert");
        assertThat(resolver("http://127.0.0.1:9").resolve(folder.toString())).isEqualTo(folder);
        assertThatThrownBy(() -> resolver("http://127.0.0.1:9").resolve("/no/such/folder"))
                .hasMessageContaining("neither an existing folder nor a hub repo id");
    }

    @Test
    void digestsAreTheOnesGitAndLfsUse(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("hello"), "hello\n");
        assertThat(FileDigests.gitBlobSha1(file)).isEqualTo("ce013625030ba8dba906f756967f9e9ca394464a");
        assertThat(FileDigests.sha256(file)).isEqualTo("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
    }
}
