#include "src/api/policy/check.h"

#include <cctype>

namespace zaqard::api::policy {

namespace {

struct Token {
    enum class Kind { Open, Close, And, Or, Not, Quoted, Check };
    Kind kind;
    std::string text;
};

Error parseError(std::string message) {
    return Error{ErrorKind::BadRequest, std::move(message)};
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// oslo's tokenizer: words split on blanks; parentheses are only recognised at the start
// and end of a word, since "%(name)s" may contain them in the middle.
std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> tokens;
    size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        size_t start = i;
        while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
        std::string_view word = text.substr(start, i - start);
        if (word.empty()) continue;
        while (!word.empty() && word.front() == '(') {
            tokens.push_back({Token::Kind::Open, "("});
            word.remove_prefix(1);
        }
        size_t closing = 0;
        while (!word.empty() && word.back() == ')') {
            ++closing;
            word.remove_suffix(1);
        }
        if (!word.empty()) {
            std::string lowered = lower(word);
            if (lowered == "and")
                tokens.push_back({Token::Kind::And, lowered});
            else if (lowered == "or")
                tokens.push_back({Token::Kind::Or, lowered});
            else if (lowered == "not")
                tokens.push_back({Token::Kind::Not, lowered});
            else if (word.size() >= 2 && (word.front() == '"' || word.front() == '\'') &&
                     word.back() == word.front())
                tokens.push_back({Token::Kind::Quoted, std::string(word)});
            else
                tokens.push_back({Token::Kind::Check, std::string(word)});
        }
        for (size_t c = 0; c < closing; ++c) tokens.push_back({Token::Kind::Close, ")"});
    }
    return tokens;
}

// What ast.literal_eval accepts for the left side of a generic check, as str() prints it.
bool pythonLiteral(std::string_view text, std::string& value) {
    if (text == "True" || text == "False" || text == "None") {
        value = text;
        return true;
    }
    if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
        text.back() == text.front()) {
        value = text.substr(1, text.size() - 2);
        return true;
    }
    bool digits = !text.empty() && (text.size() == 1 || text.front() != '0');
    for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) value = text;
    return digits;
}

Result<Check> parseLeaf(const std::string& word) {
    Check check;
    if (word == "@") return check;
    if (word == "!") {
        check.kind = Check::Kind::Never;
        return check;
    }
    size_t colon = word.find(':');
    if (colon == std::string::npos)
        return parseError("'" + word + "' is not a check (expected kind:value, '@' or '!')");
    std::string kind = word.substr(0, colon);
    std::string match = word.substr(colon + 1);
    check.needsTarget = match.find("%(") != std::string::npos;
    if (kind == "rule") {
        check.kind = Check::Kind::Rule;
        check.left = match;
    } else if (kind == "role") {
        check.kind = Check::Kind::Role;
        check.right = lower(match);
    } else if (kind == "http" || kind == "https") {
        return parseError("'" + word + "': http and https checks are not supported");
    } else {
        check.kind = Check::Kind::Generic;
        check.literal = pythonLiteral(kind, check.left);
        if (!check.literal) check.left = kind;
        check.right = match;
    }
    return check;
}

class Parser {
  public:
    explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

    Result<Check> parse() {
        auto result = orExpression();
        if (!result) return result;
        if (position_ != tokens_.size())
            return parseError("unexpected '" + tokens_[position_].text + "'");
        return result;
    }

  private:
    bool accept(Token::Kind kind) {
        if (position_ < tokens_.size() && tokens_[position_].kind == kind) {
            ++position_;
            return true;
        }
        return false;
    }

    Result<Check> chain(Check::Kind kind, Token::Kind separator,
                        Result<Check> (Parser::*operand)()) {
        auto first = (this->*operand)();
        if (!first || position_ >= tokens_.size() || tokens_[position_].kind != separator)
            return first;
        Check node;
        node.kind = kind;
        node.children.push_back(std::move(first.value()));
        while (accept(separator)) {
            auto next = (this->*operand)();
            if (!next) return next;
            node.children.push_back(std::move(next.value()));
        }
        return node;
    }

    Result<Check> orExpression() {
        return chain(Check::Kind::Or, Token::Kind::Or, &Parser::andExpression);
    }
    Result<Check> andExpression() {
        return chain(Check::Kind::And, Token::Kind::And, &Parser::notExpression);
    }

    // Nesting ('(' and 'not') is bounded: each level is a parser frame here and an
    // evaluation frame later, and a policy file must not be able to overflow the stack
    // (found by tests/fuzz/fuzz_policy_check).
    static constexpr int kMaxDepth = 64;
    struct Nested {
        explicit Nested(int& depth) : depth_(depth) { ++depth_; }
        ~Nested() { --depth_; }
        int& depth_;
    };

    Result<Check> notExpression() {
        if (!accept(Token::Kind::Not)) return atom();
        Nested nested(depth_);
        if (depth_ > kMaxDepth) return parseError("rule nested deeper than 64 levels");
        auto operand = notExpression();
        if (!operand) return operand;
        Check node;
        node.kind = Check::Kind::Not;
        node.children.push_back(std::move(operand.value()));
        return node;
    }

    Result<Check> atom() {
        if (position_ >= tokens_.size()) return parseError("unexpected end of the rule");
        const Token& token = tokens_[position_++];
        switch (token.kind) {
            case Token::Kind::Check:
                return parseLeaf(token.text);
            case Token::Kind::Open: {
                Nested nested(depth_);
                if (depth_ > kMaxDepth) return parseError("rule nested deeper than 64 levels");
                auto inner = orExpression();
                if (!inner) return inner;
                if (!accept(Token::Kind::Close)) return parseError("missing ')'");
                return inner;
            }
            case Token::Kind::Quoted:
                return parseError("quoted string " + token.text + " is not a check");
            default:
                return parseError("unexpected '" + token.text + "'");
        }
    }

    std::vector<Token> tokens_;
    size_t position_ = 0;
    int depth_ = 0;
};

Result<Check> withContext(Result<Check> result, std::string_view text) {
    if (result) return result;
    return parseError("cannot parse \"" + std::string(text) + "\": " + result.error().message);
}

}  // namespace

Result<Check> parseCheck(std::string_view text) {
    if (text.empty()) return Check{};  // oslo: an empty rule always passes
    auto tokens = tokenize(text);
    if (tokens.empty()) return parseError("a rule of only blanks is not a check");
    return withContext(Parser(std::move(tokens)).parse(), text);
}

Result<Check> parseListCheck(const std::vector<std::vector<std::string>>& alternatives) {
    if (alternatives.empty()) return Check{};
    Check any;
    any.kind = Check::Kind::Or;
    for (const auto& conjunction : alternatives) {
        Check all;
        all.kind = Check::Kind::And;
        for (const auto& word : conjunction) {
            auto leaf = parseLeaf(word);
            if (!leaf) return withContext(std::move(leaf), word);
            all.children.push_back(std::move(leaf.value()));
        }
        // oslo drops empty inner lists; one that is empty would otherwise allow everyone.
        if (!all.children.empty()) any.children.push_back(std::move(all));
    }
    if (any.children.empty()) {
        any.kind = Check::Kind::Never;  // oslo: only empty alternatives -> FalseCheck
    }
    return any;
}

void forEachRuleReference(Check& check, const std::function<void(Check&)>& visit) {
    if (check.kind == Check::Kind::Rule) visit(check);
    for (Check& child : check.children) forEachRuleReference(child, visit);
}

}  // namespace zaqard::api::policy
