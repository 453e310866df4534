/**
 * The {@code tessera} command line (picocli): {@code train}, {@code generate} and {@code inspect}.
 * The commands check their flags (a user's mistake is one line on standard error and exit code 2)
 * and hand a checked request to {@link dev.tessera.moe.cli.Actions}, which does the work.
 */
package dev.tessera.moe.cli;
