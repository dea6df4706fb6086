package io.citybrain.api;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A WebSocket client on a bare socket with a small receive buffer, so a test decides exactly when
 * it reads: between reads it is the slow client whose TCP window closes and leaves the server
 * holding what it has not sent.
 */
final class RawWebSocket implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private final SecureRandom random = new SecureRandom();

  RawWebSocket(String apiUrl, String pathAndQuery) throws IOException {
    URI uri = URI.create(apiUrl);
    socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
    socket.setSoTimeout(10_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    out.write(
        ("GET "
                + pathAndQuery
                + " HTTP/1.1\r\nHost: "
                + uri.getHost()
                + ":"
                + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String headers = readHeaders(in);
    if (!headers.startsWith("HTTP/1.1 101")) {
      throw new IOException("handshake refused: " + headers.lines().findFirst().orElse(""));
    }
  }

  /** Sends one masked text frame, as a client must. */
  void sendText(String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    }
    byte[] mask = new byte[4];
    random.nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  /** Reads the next text frame (server frames are unmasked and, from Vert.x, unfragmented here). */
  String readText() throws IOException {
    while (true) {
      int first = in.readUnsignedByte();
      int second = in.readUnsignedByte();
      long length = second & 0x7f;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      int opcode = first & 0x0f;
      if (opcode == 1) {
        return new String(payload, StandardCharsets.UTF_8);
      }
      if (opcode == 8) {
        throw new IOException("closed by the server");
      }
    }
  }

  private static String readHeaders(InputStream in) throws IOException {
    StringBuilder headers = new StringBuilder();
    while (!headers.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed during the handshake");
      }
      headers.append((char) b);
    }
    return headers.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
