package dev.pocmerge.data;

import java.util.Objects;

/**
 * One row of an LLM-Adapters training file ({@code commonsense_170k.json}): {@code input} is "" when the file
 * leaves it out, so the prompt template picks its no-input branch exactly when LLM-Adapters' {@code if
 * data_point["input"]} would.
 */
public record Instruction(String instruction, String input, String output) {
    public Instruction {
        Objects.requireNonNull(instruction, "instruction");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
    }
}
