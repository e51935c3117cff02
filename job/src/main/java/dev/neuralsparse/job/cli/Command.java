package dev.neuralsparse.job.cli;

import java.io.InputStream;
import java.io.PrintStream;

/** One subcommand of {@code bin/neural-sparse}. Streams are passed in so tests can drive it. */
interface Command {
    String name();

    /** One line for the overview. */
    String summary();

    /** The full {@code --help} text. */
    String help();

    /** @return the process exit code: 0 ok, 2 some input lines were rejected, 64 usage error */
    int run(String[] args, InputStream in, PrintStream out, PrintStream err) throws Exception;
}
