package dev.miroir.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, so a test can send what no well-behaved client would: paths with dot
 * segments, any header, a body with a wrong length, a chunked body. One request per connection.
 */
final class RawHttp {

  private static final ObjectMapper JSON = new ObjectMapper();

  record Response(int status, Map<String, String> headers, byte[] body) {
    JsonNode json() {
      try {
        return body.length == 0 ? MissingNode.getInstance() : JSON.readTree(body);
      } catch (IOException e) {
        return MissingNode.getInstance();
      }
    }

    /** The Meilisearch error code, or "" when the answer is not an error object. */
    String code() {
      return json().path("code").asText("");
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A request: method, target (path and query, sent as is), headers, body (null: none), chunked or not. */
  record Request(String method, String target, Map<String, String> headers, byte[] body, boolean chunked) {
    static Request of(String method, String target) {
      return new Request(method, target, new LinkedHashMap<>(), null, false);
    }

    Request header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      if (value == null) {
        h.remove(name);
      } else {
        h.put(name, value);
      }
      return new Request(method, target, h, body, chunked);
    }

    Request body(byte[] bytes) {
      return new Request(method, target, headers, bytes, chunked);
    }

    Request body(String text) {
      return body(text.getBytes(StandardCharsets.UTF_8));
    }

    Request json(String text) {
      return header("Content-Type", "application/json").body(text);
    }

    Request asChunked() {
      return new Request(method, target, headers, body, true);
    }

    Request auth(String key) {
      return header("Authorization", key == null ? null : "Bearer " + key);
    }
  }

  private RawHttp() {}

  static Response send(URI base, Request request) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5_000);
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder head = new StringBuilder();
      head.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
      head.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
      head.append("Connection: close\r\n");
      request.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      if (request.body() != null) {
        if (request.chunked()) {
          head.append("Transfer-Encoding: chunked\r\n");
        } else {
          head.append("Content-Length: ").append(request.body().length).append("\r\n");
        }
      }
      head.append("\r\n");
      Thread writer = new Thread(() -> {
        try {
          out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
          if (request.body() != null) {
            if (request.chunked()) {
              int chunk = 8192;
              for (int i = 0; i < request.body().length; i += chunk) {
                int len = Math.min(chunk, request.body().length - i);
                out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(request.body(), i, len);
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
              }
              out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            } else {
              out.write(request.body());
            }
          }
          out.flush();
        } catch (IOException e) {
          // The server may answer and close before reading everything (a refused upload).
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      Response response = read(socket.getInputStream());
      writer.join(10_000);
      return response;
    } catch (IOException e) {
      return new Response(-1, Map.of(), e.toString().getBytes(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Response read(InputStream in) throws IOException {
    byte[] all = readAll(in);
    int headEnd = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    if (headEnd < 0) {
      return new Response(-1, Map.of(), all);
    }
    String[] lines = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    byte[] rest = java.util.Arrays.copyOfRange(all, headEnd + 4, all.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      rest = dechunk(rest);
    } else if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      rest = java.util.Arrays.copyOf(rest, Math.min(length, rest.length));
    }
    return new Response(status, headers, rest);
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[16384];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
      }
    } catch (java.net.SocketException e) {
      // a reset after the answer was sent: keep what arrived
    }
    return out.toByteArray();
  }

  private static byte[] dechunk(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < data.length) {
      int lineEnd = indexOf(data, "\r\n".getBytes(StandardCharsets.ISO_8859_1), i);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(new String(data, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      out.write(data, lineEnd + 2, Math.min(size, data.length - lineEnd - 2));
      i = lineEnd + 2 + size + 2;
    }
    return out.toByteArray();
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    return indexOf(data, pattern, 0);
  }

  private static int indexOf(byte[] data, byte[] pattern, int from) {
    outer:
    for (int i = from; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
