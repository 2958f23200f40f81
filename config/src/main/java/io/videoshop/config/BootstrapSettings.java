package io.videoshop.config;

/** The first platform operator, created at first start when the database has none. */
public record BootstrapSettings(String operatorEmail, String operatorPassword) {

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
    return new BootstrapSettings(email, password);
  }
}
