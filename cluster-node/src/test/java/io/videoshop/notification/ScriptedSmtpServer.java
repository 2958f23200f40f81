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
 * wire, which GreenMail cannot be told to give.
 */
final class ScriptedSmtpServer implements AutoCloseable {
  private final ServerSocket socket;
  private final List<String> rcptReplies;
  private final AtomicInteger rcptCount = new AtomicInteger();
  final List<String> accepted = new CopyOnWriteArrayList<>();
  private final Thread thread;

  ScriptedSmtpServer(List<String> rcptReplies) throws IOException {
    this.rcptReplies = rcptReplies;
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
    BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = client.getOutputStream();
    reply(out, "220 scripted.test ESMTP");
    boolean rcptOk = false;
    String line;
    while ((line = in.readLine()) != null) {
      String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
      switch (command) {
        case "EHLO", "HELO" -> reply(out, "250 scripted.test");
        case "MAIL" -> reply(out, "250 OK");
        case "RCPT" -> {
          int n = rcptCount.getAndIncrement();
          String answer = rcptReplies.get(Math.min(n, rcptReplies.size() - 1));
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

  private static void reply(OutputStream out, String text) throws IOException {
    out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
