package io.citybrain.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.citybrain.testkit.CityServicesExtension;
import io.citybrain.testkit.TestServices;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What reaches the API before any feature runs: bodies are read only as JSON and only after the
 * token is checked (nothing is written to disk), and every answer carries the security headers.
 */
@ExtendWith(CityServicesExtension.class)
class RequestBoundaryIT {
  private static final String BOUNDARY = "----citybrain-boundary";
  private static final String MULTIPART =
      "--"
          + BOUNDARY
          + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.bin\"\r\n"
          + "Content-Type: application/octet-stream\r\n\r\n"
          + "x".repeat(4096)
          + "\r\n--"
          + BOUNDARY
          + "--\r\n";
  private static final Path UPLOADS = Path.of("file-uploads");
  private static ApiFixture f;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start(TestServices services) throws Exception {
    f = ApiFixture.start(services, config -> {});
  }

  @AfterAll
  static void stop() {
    if (f != null) {
      f.close();
    }
  }

  private static HttpResponse<String> post(String path, String token, String type, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(f.api.url() + path))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("content-type", type);
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(f.api.url() + path));
    if (token != null) {
      request.header("authorization", "Bearer " + token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static long uploads() throws IOException {
    if (!Files.isDirectory(UPLOADS)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(UPLOADS)) {
      return files.count();
    }
  }

  @Test
  @DisplayName("Anonymous multipart bodies are refused with 401 and leave no file behind")
  void anonymousMultipartLeavesNoFile() throws Exception {
    long before = uploads();
    for (int i = 0; i < 8; i++) {
      HttpResponse<String> reply =
          post("/api/v1/cases", null, "multipart/form-data; boundary=" + BOUNDARY, MULTIPART);
      assertThat(reply.statusCode()).as(reply.body()).isEqualTo(401);
    }
    assertThat(uploads()).isEqualTo(before);
  }

  @Test
  @DisplayName("A signed-in caller's non-JSON body is 415 with a message, and nothing is stored")
  void nonJsonBodiesAre415() throws Exception {
    long before = uploads();
    HttpResponse<String> multipart =
        post(
            "/api/v1/cases",
            f.token("operator"),
            "multipart/form-data; boundary=" + BOUNDARY,
            MULTIPART);
    assertThat(multipart.statusCode()).as(multipart.body()).isEqualTo(415);
    assertThat(new JsonObject(multipart.body()).getString("reason"))
        .contains("application/json")
        .contains("multipart/form-data");
    HttpResponse<String> text =
        post("/api/v1/cases", f.token("operator"), "text/plain", "{\"district\":\"DP\"}");
    assertThat(text.statusCode()).as(text.body()).isEqualTo(415);
    HttpResponse<String> form =
        post(
            "/api/v1/auth/login",
            null,
            "application/x-www-form-urlencoded",
            "username=admin&password=" + ApiFixture.PASSWORD);
    assertThat(form.statusCode()).as(form.body()).isEqualTo(415);
    assertThat(uploads()).isEqualTo(before);
    for (String operation : List.of("login", "reportCase", "transitionCase", "triggerResponse")) {
      assertThat(f.client.contract().operation(operation).getResponse(415))
          .as("the document declares %s's 415", operation)
          .isNotNull();
    }
  }

  @Test
  @DisplayName("JSON bodies still work, with a charset too")
  void jsonBodiesWork() throws Exception {
    HttpResponse<String> login =
        post(
            "/api/v1/auth/login",
            null,
            "application/json; charset=utf-8",
            new JsonObject()
                .put("username", "viewer")
                .put("password", ApiFixture.PASSWORD)
                .encode());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
  }

  @Test
  @DisplayName("The wall and the API carry the security headers; API answers are no-store")
  void securityHeaders() throws Exception {
    for (HttpResponse<String> reply :
        new HttpResponse[] {
          get("/wall/", null),
          get("/wall/js/main.js", null),
          get("/api/v1/summary", f.token("viewer")),
          get("/api/v1/summary", null),
          get("/api/v1/no-such-route", f.token("viewer"))
        }) {
      String csp = reply.headers().firstValue("content-security-policy").orElse("");
      assertThat(csp).as(reply.uri().toString()).contains("frame-ancestors 'none'");
      Matcher script = Pattern.compile("script-src ([^;]*)").matcher(csp);
      assertThat(script.find()).as(csp).isTrue();
      assertThat(script.group(1)).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(reply.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      assertThat(reply.headers().firstValue("referrer-policy")).hasValue("no-referrer");
    }
    assertThat(get("/api/v1/summary", f.token("viewer")).headers().firstValue("cache-control"))
        .hasValue("no-store");
    assertThat(get("/api/v1/summary", null).headers().firstValue("cache-control"))
        .hasValue("no-store");
  }

  @Test
  @DisplayName("The wall page has no inline script (the policy would block it)")
  void wallHasNoInlineScript() throws Exception {
    String page = get("/wall/", null).body();
    Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(page);
    int count = 0;
    while (scripts.find()) {
      assertThat(scripts.group(1)).as("every <script> names its file").contains("src=");
      count++;
    }
    assertThat(count).isPositive();
    assertThat(page).doesNotContainPattern("\\son[a-z]+\\s*=").doesNotContain("javascript:");
  }
}
