#include "src/api/policy/policy.h"

#include <functional>

#include "src/api/errors.h"
#include "src/api/policy/credentials.h"

namespace zaqard::api::policy {

namespace {
// resolve() rejects cycles, so rule chains are as deep as the rule table at most; this
// only guards evaluate() against a policy used before resolve().
constexpr int kMaxDepth = 64;
}  // namespace

Policy::Policy() {
    for (const DefaultRule& rule : defaultRules()) {
        auto check = parseCheck(rule.check);
        set(rule.name, std::move(check.value()));
    }
    resolve();
}

Status Policy::set(const std::string& name, Check check) {
    auto [it, inserted] = index_.emplace(name, static_cast<int>(rules_.size()));
    if (inserted) {
        names_.push_back(name);
        rules_.push_back(std::move(check));
    } else {
        rules_[it->second] = std::move(check);
    }
    return Unit{};
}

Status Policy::set(const std::string& name, std::string_view checkString) {
    auto check = parseCheck(checkString);
    if (!check)
        return Error{ErrorKind::BadRequest, "rule \"" + name + "\": " + check.error().message};
    return set(name, std::move(check.value()));
}

Status Policy::resolve() {
    for (size_t i = 0; i < rules_.size(); ++i) {
        std::string missing;
        forEachRuleReference(rules_[i], [&](Check& reference) {
            auto it = index_.find(reference.left);
            if (it == index_.end()) {
                if (missing.empty()) missing = reference.left;
                reference.rule = -1;
            } else {
                reference.rule = it->second;
            }
        });
        if (!missing.empty())
            return Error{ErrorKind::BadRequest,
                         "rule \"" + names_[i] + "\" refers to undefined rule \"" + missing + "\""};
    }
    // Depth-first search for cycles through rule references.
    enum class Mark { None, Active, Done };
    std::vector<Mark> marks(rules_.size(), Mark::None);
    std::string cycle;
    std::function<bool(int)> visit = [&](int i) {
        if (marks[i] == Mark::Done) return true;
        if (marks[i] == Mark::Active) {
            cycle = names_[i];
            return false;
        }
        marks[i] = Mark::Active;
        bool ok = true;
        forEachRuleReference(rules_[i], [&](Check& reference) {
            if (ok && reference.rule >= 0) ok = visit(reference.rule);
        });
        marks[i] = Mark::Done;
        return ok;
    };
    for (size_t i = 0; i < rules_.size(); ++i)
        if (!visit(static_cast<int>(i)))
            return Error{ErrorKind::BadRequest, "rule \"" + cycle + "\" refers to itself"};
    bindActions();
    return Unit{};
}

void Policy::bindActions() {
    for (int a = 0; a < kActionCount; ++a) {
        const char* name = ruleForAction(static_cast<Action>(a));
        auto it = name ? index_.find(name) : index_.end();
        actionRule_[a] = it == index_.end() ? -1 : it->second;
        actionOpen_[a] = actionRule_[a] < 0 || rules_[actionRule_[a]].kind == Check::Kind::Always;
    }
}

const Check* Policy::ruleFor(Action action) const {
    int a = static_cast<int>(action);
    if (a < 0 || a >= kActionCount || actionRule_[a] < 0) return nullptr;
    return &rules_[actionRule_[a]];
}

bool Policy::allows(Action action, const Headers& headers) const {
    int a = static_cast<int>(action);
    if (a < 0 || a >= kActionCount) {
        const char* name = ruleForAction(action);
        return !name || allows(std::string_view(name), headers);
    }
    if (actionOpen_[a]) return true;
    Credentials credentials(headers);
    return evaluate(rules_[actionRule_[a]], credentials, 0);
}

bool Policy::allows(std::string_view name, const Headers& headers) const {
    auto it = index_.find(std::string(name));
    if (it == index_.end()) return false;
    Credentials credentials(headers);
    return evaluate(rules_[it->second], credentials, 0);
}

bool Policy::evaluate(const Check& check, const Credentials& credentials, int depth) const {
    switch (check.kind) {
        case Check::Kind::Always:
            return true;
        case Check::Kind::Never:
            return false;
        case Check::Kind::Role:
            return !check.needsTarget && credentials.hasRole(check.right);
        case Check::Kind::Rule:
            if (check.rule < 0 || depth >= kMaxDepth) return false;
            return evaluate(rules_[check.rule], credentials, depth + 1);
        case Check::Kind::Generic:
            if (check.needsTarget) return false;
            if (check.literal) return check.left == check.right;
            return credentials.matches(check.left, check.right);
        case Check::Kind::Not:
            return !evaluate(check.children.front(), credentials, depth);
        case Check::Kind::And:
            for (const Check& child : check.children)
                if (!evaluate(child, credentials, depth)) return false;
            return true;
        case Check::Kind::Or:
            for (const Check& child : check.children)
                if (evaluate(child, credentials, depth)) return true;
            return false;
    }
    return false;
}

Response notAuthorized() {
    return errorResponse(403, "Not authorized", "You are not authorized to complete this action.");
}

}  // namespace zaqard::api::policy
