package io.videoshop.notification;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real SMTP conversation over a socket whose answer to each RCPT TO comes from a script
 * (e.g. 451 then 250, or 550): what a server's temporary and permanent refusals look like on the
 * wire, which GreenMail cannot be told to give. Optionally it offers STARTTLS (GreenMail's test
 * certificate) and, once upgraded, AUTH PLAIN and LOGIN, as a submission server on 587 does;
 * GreenMail speaks no STARTTLS.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  private final ServerSocket socket;
  /** The answer to a RCPT TO line, given the line and how many RCPT TO came before it. */
  private final java.util.function.BiFunction<String, Integer, String> rcptReplies;
  private final AtomicInteger rcptCount = new AtomicInteger();
  final List<String> accepted = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private final boolean offersStartTls;
  /** Each command as the server saw it, "[tls] " in front once upgraded; AUTH lines without their secret. */
  final List<String> commands = new CopyOnWriteArrayList<>();
  /** user:password pairs received by AUTH, and whether the connection was encrypted then. */
  final List<String> credentials = new CopyOnWriteArrayList<>();

  ScriptedSmtpServer(List<String> rcptReplies) throws IOException {
    this(rcptReplies, false);
  }

  ScriptedSmtpServer(List<String> rcptReplies, boolean offersStartTls) throws IOException {
    this((line, n) -> rcptReplies.get(Math.min(n, rcptReplies.size() - 1)), offersStartTls);
  }

  /** Answers each RCPT TO by its line (e.g. by the recipient's domain). */
  ScriptedSmtpServer(java.util.function.Function<String, String> rcptReply) throws IOException {
    this((line, n) -> rcptReply.apply(line), false);
  }

  private ScriptedSmtpServer(java.util.function.BiFunction<String, Integer, String> rcptReplies, boolean offersStartTls)
      throws IOException {
    this.rcptReplies = rcptReplies;
    this.offersStartTls = offersStartTls;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.thread = new Thread(this::serve, "scripted-smtp");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** RCPT TO commands seen so far: one per delivery attempt. */
  int rcptCount() {
    return rcptCount.get();
  }

  private void serve() {
    while (!socket.isClosed()) {
      try (Socket client = socket.accept()) {
        converse(client);
      } catch (IOException e) {
        // closed, or the client hung up: next connection
      }
    }
  }

  private void converse(Socket client) throws IOException {
    Socket connection = client;
    BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = connection.getOutputStream();
    reply(out, "220 scripted.test ESMTP");
    boolean rcptOk = false;
    boolean tls = false;
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
      commands.add((tls ? "[tls] " : "") + (command.equals("AUTH") ? line.split(" ")[0] + " " + line.split(" ")[1] : line));
      switch (command) {
        case "EHLO" -> {
          if (offersStartTls && !tls) reply(out, "250-scripted.test\r\n250 STARTTLS");
          else if (offersStartTls) reply(out, "250-scripted.test\r\n250 AUTH PLAIN LOGIN");
          else reply(out, "250 scripted.test");
        }
        case "HELO" -> reply(out, "250 scripted.test");
        case "STAR" -> {
          if (!offersStartTls || tls) {
            reply(out, "502 not implemented");
            break;
          }
          reply(out, "220 2.0.0 ready to start TLS");
          connection = upgrade(connection);
          tls = true;
          in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.US_ASCII));
          out = connection.getOutputStream();
        }
        case "AUTH" -> {
          if (!offersStartTls || !tls) {
            reply(out, "530 5.7.0 must issue STARTTLS first");
            break;
          }
          String[] parts = line.split(" ");
          String user;
          String password;
          if (parts[1].equalsIgnoreCase("PLAIN")) {
            String response = parts.length > 2 ? parts[2] : null;
            if (response == null) {
              reply(out, "334 ");
              response = in.readLine();
            }
            String[] fields = new String(java.util.Base64.getDecoder().decode(response), StandardCharsets.UTF_8)
                .split("\0", -1);
            user = fields[1];
            password = fields[2];
          } else {
            reply(out, "334 VXNlcm5hbWU6");
            user = new String(java.util.Base64.getDecoder().decode(in.readLine()), StandardCharsets.UTF_8);
            reply(out, "334 UGFzc3dvcmQ6");
            password = new String(java.util.Base64.getDecoder().decode(in.readLine()), StandardCharsets.UTF_8);
          }
          credentials.add(user + ":" + password + (tls ? " over tls" : " in clear"));
          reply(out, "235 2.7.0 authenticated");
        }
        case "MAIL" -> reply(out, "250 OK");
        case "RCPT" -> {
          int n = rcptCount.getAndIncrement();
          String answer = rcptReplies.apply(line, n);
          rcptOk = answer.startsWith("250");
          reply(out, answer);
        }
        case "DATA" -> {
          if (!rcptOk) {
            reply(out, "503 no valid recipients");
            break;
          }
          reply(out, "354 go ahead");
          StringBuilder message = new StringBuilder();
          while ((line = in.readLine()) != null && !line.equals(".")) message.append(line).append('\n');
          accepted.add(message.toString());
          reply(out, "250 queued");
        }
        case "RSET", "NOOP" -> reply(out, "250 OK");
        case "QUIT" -> {
          reply(out, "221 bye");
          return;
        }
        default -> reply(out, "502 not implemented");
      }
    }
  }

  /** The server's side of the TLS handshake over the same connection, with GreenMail's test key. */
  private static Socket upgrade(Socket plain) throws IOException {
    try {
      java.security.KeyStore keys = new com.icegreen.greenmail.util.DummySSLServerSocketFactory().getKeyStore();
      javax.net.ssl.KeyManagerFactory managers =
          javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
      managers.init(keys, "changeit".toCharArray());
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(managers.getKeyManagers(), null, null);
      javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) context.getSocketFactory()
          .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
      tls.setUseClientMode(false);
      tls.startHandshake();
      return tls;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot start TLS", e);
    }
  }

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
