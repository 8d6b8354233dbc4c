package dev.pocmerge.report;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress bars on stderr (stdout carries the table or the JSON). Without a console (logs, CI, pipes) the bar
 * redraws every 2 s instead of 4 times a second, so logs stay short.
 */
public final class Progress {
    private Progress() {}

    public static ProgressBar bar(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(System.console() != null ? 250 : 2000)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().build();
    }

    /** A bar counting items, with items/s and the ETA (evaluation: one bar per task). */
    public static ProgressBar items(String task, long max) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(" items", 1)
                .showSpeed(new java.text.DecimalFormat("0.0")).setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(System.console() != null ? 250 : 2000)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate().build();
    }
}
