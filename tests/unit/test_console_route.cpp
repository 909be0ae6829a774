// The web console's static files (transports/http/console_route.h): the embedded table,
// names, ETag revalidation, HEAD, config.json, and the WebSocket Origin rule for the
// console's own origin.
#include <gtest/gtest.h>

#include <string>

#include "src/common/json.h"
#include "transports/http/console_files.h"
#include "transports/http/console_route.h"

namespace zaqard::http {
namespace {

std::string header(const api::Response& response, std::string_view name) {
    for (const auto& [key, value] : response.headers)
        if (key == name) return value;
    return {};
}

api::Response get(std::string_view path, std::string_view ifNoneMatch = "",
                  std::string_view method = "GET") {
    static const config::Config config;
    return consoleResponse({method, path, ifNoneMatch}, config);
}

TEST(ConsoleRoute, Paths) {
    EXPECT_TRUE(isConsolePath("/console"));
    EXPECT_TRUE(isConsolePath("/console/"));
    EXPECT_TRUE(isConsolePath("/console/app.js"));
    EXPECT_FALSE(isConsolePath("/consolex"));
    EXPECT_FALSE(isConsolePath("/v2/console/"));
    EXPECT_FALSE(isConsolePath("/"));
}

TEST(ConsoleRoute, EmbeddedFilesAreSortedAndTyped) {
    auto files = consoleFiles();
    ASSERT_GE(files.size(), 3u);
    for (size_t i = 1; i < files.size(); ++i) EXPECT_LT(files[i - 1].name, files[i].name);
    for (const ConsoleFile& file : files) {
        EXPECT_FALSE(file.body.empty()) << file.name;
        EXPECT_EQ(file.etag.size(), 34u) << file.name;
        api::Response response = get("/console/" + std::string(file.name));
        EXPECT_EQ(response.status, 200) << file.name;
        EXPECT_EQ(response.contentType, file.contentType);
        EXPECT_EQ(response.rawBody, file.body);
        EXPECT_EQ(header(response, "ETag"), file.etag);
    }
}

TEST(ConsoleRoute, IndexRedirectAndErrors) {
    api::Response index = get("/console/");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.contentType, "text/html; charset=utf-8");
    EXPECT_NE(header(index, "Content-Security-Policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(index.rawBody, get("/console/index.html").rawBody);

    api::Response redirect = get("/console");
    EXPECT_EQ(redirect.status, 301);
    EXPECT_EQ(header(redirect, "Location"), "/console/");

    for (const char* path : {"/console/nope.js", "/console/../README.md", "/console/app.js/"}) {
        api::Response missing = get(path);
        EXPECT_EQ(missing.status, 404) << path;
        EXPECT_EQ(missing.rawBody, R"({"title":"404 Not Found"})") << path;
    }
    api::Response post = get("/console/", "", "POST");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(header(post, "Allow"), "GET, HEAD");
}

TEST(ConsoleRoute, EtagRevalidation) {
    const std::string etag(consoleFiles()[0].etag);
    const std::string path = "/console/" + std::string(consoleFiles()[0].name);
    EXPECT_EQ(get(path, etag).status, 304);
    EXPECT_TRUE(get(path, etag).rawBody.empty());
    EXPECT_EQ(get(path, "\"a\", " + etag + " ,\"b\"").status, 304);
    EXPECT_EQ(get(path, "W/" + etag).status, 304);
    EXPECT_EQ(get(path, "*").status, 304);
    EXPECT_EQ(get(path, "\"other\"").status, 200);
    EXPECT_EQ(get(path, etag.substr(1)).status, 200);  // unquoted: not the same tag
}

TEST(ConsoleRoute, HeadHasTheLengthButNoBody) {
    api::Response head = get("/console/app.js", "", "HEAD");
    EXPECT_EQ(head.status, 200);
    EXPECT_TRUE(head.rawBody.empty());
    EXPECT_EQ(header(head, "Content-Length"),
              std::to_string(get("/console/app.js").rawBody.size()));
    EXPECT_EQ(header(head, "Content-Type"), "text/javascript; charset=utf-8");
}

TEST(ConsoleRoute, ConfigDocument) {
    config::Config config;
    config.websocket_port = 9123;
    config.auth_strategy = "keystone";
    config.message_pipeline = {"zaqar.notification.notifier"};
    api::Response response = consoleResponse({"GET", "/console/config.json", ""}, config);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(header(response, "Cache-Control"), "no-store");
    EXPECT_EQ(response.rawBody,
              R"({"websocket_port":9123,"auth_strategy":"keystone","notifications":true})");
    config::Config plain;
    EXPECT_EQ(consoleResponse({"GET", "/console/config.json", ""}, plain).rawBody,
              R"({"websocket_port":9000,"auth_strategy":"noauth","notifications":false})");
}

TEST(ConsoleRoute, ConsoleOrigin) {
    EXPECT_TRUE(isConsoleOrigin("http://127.0.0.1:8888", "127.0.0.1:9000", 8888));
    EXPECT_TRUE(isConsoleOrigin("https://Zaqar.Example:8888", "zaqar.example:9000", 8888));
    EXPECT_TRUE(isConsoleOrigin("http://[::1]:8888", "[::1]:9000", 8888));
    EXPECT_TRUE(isConsoleOrigin("http://zaqar.example", "zaqar.example:9000", 80));
    EXPECT_TRUE(isConsoleOrigin("https://zaqar.example", "zaqar.example:9000", 443));
    EXPECT_FALSE(isConsoleOrigin("http://zaqar.example", "zaqar.example:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("http://127.0.0.1:8889", "127.0.0.1:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("http://evil.example:8888", "127.0.0.1:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("http://127.0.0.1:8888", "localhost:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("ftp://127.0.0.1:8888", "127.0.0.1:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("http://127.0.0.1:8888x", "127.0.0.1:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("http://127.0.0.1:8888", "127.0.0.1:x", 8888));
    EXPECT_FALSE(isConsoleOrigin("", "127.0.0.1:9000", 8888));
    EXPECT_FALSE(isConsoleOrigin("null", "127.0.0.1:9000", 8888));
}

}  // namespace
}  // namespace zaqard::http
