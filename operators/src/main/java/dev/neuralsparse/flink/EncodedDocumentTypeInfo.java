package dev.neuralsparse.flink;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/** The type of {@link EncodedDocument} wherever Flink meets it: serialized by {@link EncodedDocumentSerializer}. */
public final class EncodedDocumentTypeInfo extends TypeInformation<EncodedDocument> {
    private static final long serialVersionUID = 1L;

    /** What {@code @TypeInfo} on {@link EncodedDocument} names, so that every operator's extracted type is this one. */
    public static final class Factory extends TypeInfoFactory<EncodedDocument> {
        @Override
        public TypeInformation<EncodedDocument> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new EncodedDocumentTypeInfo();
        }
    }

    @Override
    public TypeSerializer<EncodedDocument> createSerializer(SerializerConfig config) {
        return new EncodedDocumentSerializer(TypeInformation.of(Document.class).createSerializer(config));
    }

    @Override
    @Deprecated
    public TypeSerializer<EncodedDocument> createSerializer(ExecutionConfig config) {
        return createSerializer(config.getSerializerConfig());
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<EncodedDocument> getTypeClass() {
        return EncodedDocument.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public String toString() {
        return "EncodedDocument";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedDocumentTypeInfo;
    }

    @Override
    public int hashCode() {
        return EncodedDocumentTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof EncodedDocumentTypeInfo;
    }
}
