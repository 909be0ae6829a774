// --check-config's reporter: every problem with its line, misspellings with a suggestion,
// unknown names counted as problems (start-up only warns about them).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "src/config/config_loader.h"

namespace zaqard::config {
namespace {

namespace fs = std::filesystem;

std::vector<ConfigProblem> check(const std::string& text) {
    std::string pattern = (fs::temp_directory_path() / "zaqard-check-XXXXXX").string();
    fs::path dir = ::mkdtemp(pattern.data());
    fs::path file = dir / "zaqar.conf";
    std::ofstream(file) << text;
    auto problems = checkConfigFile(file.string());
    fs::remove_all(dir);
    return problems;
}

TEST(ConfigCheck, GoodFileHasNoProblems) {
    EXPECT_TRUE(check("[DEFAULT]\ndebug = true\n\n[zaqard]\nlog_format = json\n").empty());
}

TEST(ConfigCheck, ReportsEveryProblemWithItsLineInFileOrder) {
    auto problems = check(
        "# comment\n"
        "[DEFAULT]\n"
        "admin_mod = true\n"  // 3: misspelt
        "debug = maybe\n"     // 4: invalid value
        "[drivers]\n"
        "message_store = mongodb\n"  // 6: refused
        "[zaqrd]\n"
        "shards = 2\n"  // 8: unknown section
        "[zaqard]\n"
        "max_requests_per_wakeup = 4\n");  // 10: refused option
    ASSERT_EQ(problems.size(), 5u);
    EXPECT_EQ(problems[0].line, 3);
    EXPECT_EQ(problems[0].text,
              "unknown option 'admin_mod' in [DEFAULT] (did you mean 'admin_mode'?)");
    EXPECT_EQ(problems[1].line, 4);
    EXPECT_EQ(problems[1].text.rfind("[DEFAULT] debug: invalid value 'maybe'", 0), 0u);
    EXPECT_EQ(problems[2].line, 6);
    EXPECT_EQ(problems[2].text.rfind("[drivers] message_store: invalid value 'mongodb'", 0), 0u);
    EXPECT_EQ(problems[3].line, 8);
    EXPECT_EQ(problems[3].text,
              "unknown section [zaqrd] (option 'shards') (did you mean [zaqard]?)");
    EXPECT_EQ(problems[4].line, 10);
    EXPECT_NE(problems[4].text.find("not supported by zaqard"), std::string::npos);
}

TEST(ConfigCheck, LinesCountContinuationsAndLongLines) {
    std::string longValue(5000, 'x');
    auto problems = check("[DEFAULT]\nlog_file = " + longValue +
                          "\n[cors]\nallowed_origin = a\n  b\nmax_agee = 3\n");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].line, 6);
    EXPECT_EQ(problems[0].text, "unknown option 'max_agee' in [cors] (did you mean 'max_age'?)");
}

TEST(ConfigCheck, NoSuggestionForAFarName) {
    auto problems = check("[zaqard]\nfrobnicate = 1\n");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].text, "unknown option 'frobnicate' in [zaqard]");
}

TEST(ConfigCheck, SyntaxErrorAndMissingFile) {
    auto problems = check("[DEFAULT]\ndebug = true\n[unterminated\n");
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].line, 3);
    EXPECT_EQ(checkConfigFile("/nonexistent/zaqar.conf").size(), 1u);
}

TEST(ConfigCheck, FormatAndSuggestions) {
    EXPECT_EQ(formatProblem("f.conf", {12, "x"}), "f.conf:12: x");
    EXPECT_EQ(formatProblem("f.conf", {0, "x"}), "f.conf: x");
    EXPECT_EQ(suggestOption("drivers:transport:wsgi", "prot"), "port");  // a swap is one edit
    EXPECT_EQ(suggestOption("default", "DEBUGG"), "debug");
    EXPECT_EQ(suggestOption("transport", "max_message_sze"), "max_message_size");  // alias
    EXPECT_EQ(suggestOption("zaqard", "x"), "");
    EXPECT_EQ(suggestSection("notifcation"), "notification");
    EXPECT_EQ(closest("abc", {"abd", "xyz"}), "abd");
}

// The suggestions' distance stops as soon as a candidate cannot be the closest: the
// nearest still wins (ties: the first), and a name far longer than any option costs
// nothing (it made --check-config, and its fuzz target, spend milliseconds per line).
TEST(ConfigCheck, SuggestionsKeepTheClosestAndSkipHopelessCandidates) {
    EXPECT_EQ(closest("porrt", {"prot", "port"}), "port");         // 2 edits, then 1
    EXPECT_EQ(closest("abcdef", {"abxdef", "abcxef"}), "abxdef");  // a tie: the first
    EXPECT_EQ(closest("abcdefghi", {"abcdefghi", "abcdefghx"}), "abcdefghi");
    EXPECT_EQ(closest("debugg", {"debug_and_more"}), "");  // length alone is too far
    EXPECT_EQ(closest("abcdefghijkl", {"lkjihgfedcba"}), "");
    const std::string huge(100000, 'p');
    EXPECT_EQ(suggestOption("drivers:transport:wsgi", huge), "");
    EXPECT_EQ(suggestSection(huge), "");
}

// The text in memory reads as the same file would: lines counted across long lines, a
// NUL byte ends its line's text as after fgets.
TEST(ConfigCheck, TextInMemoryReadsAsTheFile) {
    const std::string text = "[DEFAULT]\n# " + std::string(5000, 'x') + "\nadmin_mod = true\n";
    auto fromText = checkConfigText("mem.conf", text);
    auto fromFile = check(text);
    ASSERT_EQ(fromText.size(), 1u);
    ASSERT_EQ(fromFile.size(), 1u);
    EXPECT_EQ(fromText[0].line, 3);
    EXPECT_EQ(fromText[0].text, fromFile[0].text);
    Config config;
    std::string error;
    EXPECT_FALSE(
        loadConfigText("mem.conf", std::string("[DEFAULT]\ndebug = maybe\n"), config, error));
    EXPECT_NE(error.find("[DEFAULT] debug: invalid value 'maybe'"), std::string::npos) << error;
    Config withNul;
    EXPECT_TRUE(loadConfigText("mem.conf", std::string("[DEFAULT]\ndebug = true\0junk\n", 28),
                               withNul, error))
        << error;
    EXPECT_TRUE(withNul.debug);
}

TEST(ConfigCheck, StartUpStillOnlyWarnsAboutUnknownNames) {
    std::string pattern = (fs::temp_directory_path() / "zaqard-check-XXXXXX").string();
    fs::path dir = ::mkdtemp(pattern.data());
    std::ofstream(dir / "zaqar.conf") << "[DEFAULT]\nadmin_mod = true\n[zaqrd]\nx = 1\n";
    Config config;
    std::string error;
    EXPECT_TRUE(loadConfigFile((dir / "zaqar.conf").string(), config, error)) << error;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace zaqard::config
