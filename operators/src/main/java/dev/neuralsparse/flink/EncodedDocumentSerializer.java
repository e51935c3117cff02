package dev.neuralsparse.flink;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink's serializer of {@link EncodedDocument}, for when the encoder's output leaves its task
 * (the sink not chained to it: chaining turned off, or another parallelism): a token-keyed
 * vector's tokens are written as strings from the vocabulary the record points at, and read back
 * into {@link EncodedDocument#tokens}, since the sink's side may have no model. Chained, as the
 * job runs by default, records pass as objects and no token is copied. The document goes through
 * Flink's own serializer of {@link Document}.
 */
public final class EncodedDocumentSerializer extends TypeSerializer<EncodedDocument> {
    private static final long serialVersionUID = 1L;
    private static final int HAS_DOCUMENT = 1;
    private static final int HAS_VECTOR = 2;
    private static final int KEYED_BY_TOKEN = 4;
    private static final int HAS_ERROR = 8;

    private final TypeSerializer<Document> documents;

    public EncodedDocumentSerializer(TypeSerializer<Document> documents) {
        this.documents = documents;
    }

    @Override
    public void serialize(EncodedDocument record, DataOutputView target) throws IOException {
        int flags = (record.document != null ? HAS_DOCUMENT : 0) | (record.ids != null ? HAS_VECTOR : 0)
                | (record.ids != null && record.keyedByToken() ? KEYED_BY_TOKEN : 0) | (record.error != null ? HAS_ERROR : 0);
        target.writeByte(flags);
        if (record.document != null) {
            documents.serialize(record.document, target);
        }
        if (record.ids != null) {
            target.writeInt(record.ids.length);
            for (int i = 0; i < record.ids.length; i++) {
                target.writeInt(record.ids[i]);
                target.writeFloat(record.weights[i]);
            }
            if ((flags & KEYED_BY_TOKEN) != 0) {
                for (int i = 0; i < record.ids.length; i++) {
                    StringValue.writeString(record.token(i), target);
                }
            }
        }
        if (record.error != null) {
            StringValue.writeString(record.error, target);
        }
    }

    @Override
    public EncodedDocument deserialize(DataInputView source) throws IOException {
        int flags = source.readByte();
        EncodedDocument record = new EncodedDocument();
        if ((flags & HAS_DOCUMENT) != 0) {
            record.document = documents.deserialize(source);
        }
        if ((flags & HAS_VECTOR) != 0) {
            int n = source.readInt();
            record.ids = new int[n];
            record.weights = new float[n];
            for (int i = 0; i < n; i++) {
                record.ids[i] = source.readInt();
                record.weights[i] = source.readFloat();
            }
            if ((flags & KEYED_BY_TOKEN) != 0) {
                record.tokens = new String[n];
                for (int i = 0; i < n; i++) {
                    record.tokens[i] = StringValue.readString(source);
                }
            }
        }
        if ((flags & HAS_ERROR) != 0) {
            record.error = StringValue.readString(source);
        }
        return record;
    }

    @Override
    public EncodedDocument deserialize(EncodedDocument reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public EncodedDocument copy(EncodedDocument from) {
        EncodedDocument copy = new EncodedDocument();
        copy.document = from.document == null ? null : documents.copy(from.document);
        copy.ids = from.ids == null ? null : from.ids.clone();
        copy.weights = from.weights == null ? null : from.weights.clone();
        copy.vocabulary = from.vocabulary;
        copy.tokens = from.tokens == null ? null : from.tokens.clone();
        copy.error = from.error;
        return copy;
    }

    @Override
    public EncodedDocument copy(EncodedDocument from, EncodedDocument reuse) {
        return copy(from);
    }

    @Override
    public EncodedDocument createInstance() {
        return new EncodedDocument();
    }

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<EncodedDocument> duplicate() {
        TypeSerializer<Document> duplicated = documents.duplicate();
        return duplicated == documents ? this : new EncodedDocumentSerializer(duplicated);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedDocumentSerializer && documents.equals(((EncodedDocumentSerializer) o).documents);
    }

    @Override
    public int hashCode() {
        return documents.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<EncodedDocument> snapshotConfiguration() {
        return new Snapshot(this);
    }

    /** The layout above, version 1, with the snapshot of the document's serializer nested. */
    public static final class Snapshot extends CompositeTypeSerializerSnapshot<EncodedDocument, EncodedDocumentSerializer> {
        public Snapshot() {}

        Snapshot(EncodedDocumentSerializer serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return 1;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(EncodedDocumentSerializer outer) {
            return new TypeSerializer<?>[] {outer.documents};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected EncodedDocumentSerializer createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new EncodedDocumentSerializer((TypeSerializer<Document>) nested[0]);
        }
    }
}
