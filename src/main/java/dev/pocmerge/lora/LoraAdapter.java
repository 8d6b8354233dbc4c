package dev.pocmerge.lora;

import java.util.SortedMap;

/**
 * One LoRA adapter as a PEFT folder holds it: settings plus the factors of every adapted module (in HF
 * layer/module order). Every module uses {@code settings.scale()}; ranks may differ per module only if
 * {@code settings.r()} is the rank PEFT would read from the config (we write uniform ranks).
 */
public record LoraAdapter(LoraSettings settings, SortedMap<ModuleKey, LoraFactors> modules) {}
