package dev.pocmerge.lora;

/** One tokenized training row: input ids and labels (-100 where the loss ignores a position), same length. */
public record TrainExample(long[] ids, long[] labels) {}
