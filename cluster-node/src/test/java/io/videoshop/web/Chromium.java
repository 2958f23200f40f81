package io.videoshop.web;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's chromium driven through its chromedriver, headless, with a fake camera and microphone
 * that need no permission prompt. Never Selenium Manager: nothing is downloaded. Where the two
 * programs are missing a test is skipped, except in CI ({@code CI=true}), where it fails: there
 * {@code bin/videoshop test} installs them.
 */
final class Chromium {
  static final String BROWSER = env("VIDEOSHOP_CHROMIUM", "/usr/bin/chromium");
  static final String DRIVER = env("VIDEOSHOP_CHROMEDRIVER", "/usr/bin/chromedriver");

  private Chromium() {}

  /** Skips (or, in CI, fails) the calling test when chromium or chromedriver is not installed. */
  static void requireInstalled() {
    List<String> missing = new ArrayList<>();
    if (!new File(BROWSER).canExecute()) missing.add(BROWSER);
    if (!new File(DRIVER).canExecute()) missing.add(DRIVER);
    if (missing.isEmpty()) return;
    String message = "The browser test needs Debian's chromium and chromium-driver, missing: " + missing
        + " (apt-get install chromium chromium-driver; bin/videoshop test installs them)";
    if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(message);
    Assumptions.abort(message);
  }

  /** A new browser with a profile of its own (deleted with the test's temporary files). */
  static ChromeDriver start(Path profile, int width, int height) {
    return start(profile, width, height, null);
  }

  /** As above, saving downloads into {@code downloads} without asking (null: the browser's default). */
  static ChromeDriver start(Path profile, int width, int height, Path downloads) {
    ChromeOptions options = new ChromeOptions();
    if (downloads != null) {
      options.setExperimentalOption("prefs", java.util.Map.of(
          "download.default_directory", downloads.toAbsolutePath().toString(),
          "download.prompt_for_download", false));
    }
    options.setBinary(BROWSER);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        // WebRTC between two browsers on one machine: real host addresses, loopback allowed.
        "--allow-loopback-in-peer-connection",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        // Media plays without a click, and timers keep running in the background window.
        "--autoplay-policy=no-user-gesture-required",
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--lang=en-US",
        "--window-size=" + width + "," + height,
        "--user-data-dir=" + profile.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort()
        .build();
    return new ChromeDriver(service, options);
  }

  static Path newProfile() throws IOException {
    return Files.createTempDirectory("videoshop-chromium-");
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
