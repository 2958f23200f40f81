package io.videoshop.protocol;

/** An estimated wait as a range in seconds (docs/queue.md explains how it is computed). */
public record WaitRange(long lowSeconds, long highSeconds) {}
