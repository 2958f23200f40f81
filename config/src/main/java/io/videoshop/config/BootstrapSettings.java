package io.videoshop.config;

import java.nio.file.Path;

/**
 * The first platform operator, created at first start when the database has none; otherwise the
 * one-time setup token is written to {@code setupTokenFile} (readable by the node's user only).
 */
public record BootstrapSettings(String operatorEmail, String operatorPassword, Path setupTokenFile) {

  public static final Path DEFAULT_SETUP_TOKEN_FILE = Path.of("data", "setup-token");

  public BootstrapSettings(String operatorEmail, String operatorPassword) {
    this(operatorEmail, operatorPassword, DEFAULT_SETUP_TOKEN_FILE);
  }

  public boolean hasOperator() {
    return !operatorEmail.isEmpty();
  }

  @Override
  public String toString() {
    return "BootstrapSettings[operatorEmail=" + operatorEmail + "]";
  }

  static BootstrapSettings read(SettingsReader at) {
    String email = at.string("operator-email").trim();
    String password = at.string("operator-password");
    if (!email.isEmpty() && password.isEmpty()) {
      at.problem("operator-password", "is required when videoshop.bootstrap.operator-email is set");
    }
    String file = at.string("setup-token-file").trim();
    if (file.isEmpty()) at.problem("setup-token-file", "must be a file path");
    return new BootstrapSettings(email, password, Path.of(file.isEmpty() ? DEFAULT_SETUP_TOKEN_FILE.toString() : file));
  }
}
