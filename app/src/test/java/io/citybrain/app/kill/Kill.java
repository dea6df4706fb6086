package io.citybrain.app.kill;

/**
 * One {@code kill -9} and what followed: what was killed, whether the simulator was still
 * publishing, and the time from the kill to the first row stored by the recovered job (-1 when none
 * came: nothing new was left to store).
 */
record Kill(String what, long atMs, boolean whilePublishing, long recoveryMs) {}
