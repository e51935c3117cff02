package dev.neuralsparse.flink;

import java.io.Serializable;
import java.util.LinkedHashMap;

/** A query's vector, the number of hits it wants, and the IDF table version that weighted it. */
public class QueryVector implements Serializable {
    private static final long serialVersionUID = 1L;

    public String id;
    public LinkedHashMap<String, Float> vector;
    public int k;
    public long idfVersion;
    public SourceRecord source;

    public QueryVector() {}

    public QueryVector(String id, LinkedHashMap<String, Float> vector, int k, long idfVersion, SourceRecord source) {
        this.id = id;
        this.vector = vector;
        this.k = k;
        this.idfVersion = idfVersion;
        this.source = source;
    }
}
