package dev.neuralsparse.flink;

import java.io.Serializable;

/** The top hits of one query, best first; {@link #error} set when the search failed. */
public class SearchResult implements Serializable {
    private static final long serialVersionUID = 1L;

    public String queryId;
    public String[] hitIds;
    public double[] scores;
    public String error;
    public SourceRecord source;

    public SearchResult() {}
}
