/** What a training run prints: a progress bar on a terminal (plain lines elsewhere) and the closing summary. */
package dev.tessera.moe.demo.console;
