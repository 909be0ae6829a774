#include "src/api/policy/rules.h"

namespace zaqard::api::policy {

namespace {

constexpr DefaultRule kDefaults[] = {
    {"context_is_admin", "role:admin"},
    {"admin_or_owner", "is_admin:True or project_id:%(project_id)s"},
    {"queues:get_all", ""},
    {"queues:create", ""},
    {"queues:get", ""},
    {"queues:delete", ""},
    {"queues:update", ""},
    {"queues:stats", ""},
    {"queues:share", ""},
    {"queues:purge", ""},
    {"messages:get_all", ""},
    {"messages:create", ""},
    {"messages:get", ""},
    {"messages:delete", ""},
    {"messages:delete_all", ""},
    {"claims:create", ""},
    {"claims:get", ""},
    {"claims:update", ""},
    {"claims:delete", ""},
    {"subscription:get_all", ""},
    {"subscription:create", ""},
    {"subscription:get", ""},
    {"subscription:update", ""},
    {"subscription:delete", ""},
    {"subscription:confirm", ""},
    {"topics:get_all", ""},
    {"topics:create", ""},
    {"topics:get", ""},
    {"topics:delete", ""},
    {"topics:update", ""},
    {"topics:stats", ""},
    {"topics:purge", ""},
    {"ping:get", ""},
    {"health:get", "role:admin"},
    {"pools:get_all", "role:admin"},
    {"pools:create", "role:admin"},
    {"pools:get", "role:admin"},
    {"pools:delete", "role:admin"},
    {"pools:update", "role:admin"},
    {"flavors:get_all", ""},
    {"flavors:get", ""},
    {"flavors:create", "role:admin"},
    {"flavors:delete", "role:admin"},
    {"flavors:update", "role:admin"},
};

}  // namespace

std::span<const DefaultRule> defaultRules() {
    return kDefaults;
}

const char* ruleForAction(Action action) {
    switch (action) {
        case Action::MethodNotAllowed:
        case Action::Versions:
        case Action::GetHomeDoc:
            return nullptr;
        case Action::Ping:
        case Action::PingHead:
            return "ping:get";
        case Action::Health:
            return "health:get";
        case Action::QueueList:
            return "queues:get_all";
        case Action::QueueCreate:
            return "queues:create";
        case Action::QueueGet:
            return "queues:get";
        case Action::QueueUpdate:
            return "queues:update";
        case Action::QueueDelete:
            return "queues:delete";
        case Action::QueueStats:
            return "queues:stats";
        case Action::QueueShare:
            return "queues:share";
        case Action::QueuePurge:
            return "queues:purge";
        case Action::MessagePost:
            return "messages:create";
        case Action::MessageList:  // the list and ?ids= both
            return "messages:get_all";
        case Action::MessageDeleteMany:
            return "messages:delete_all";
        case Action::MessageGet:
            return "messages:get";
        case Action::MessageDelete:
            return "messages:delete";
        case Action::ClaimCreate:
            return "claims:create";
        case Action::ClaimGet:
            return "claims:get";
        case Action::ClaimUpdate:
            return "claims:update";
        case Action::ClaimDelete:
            return "claims:delete";
        case Action::SubscriptionList:
            return "subscription:get_all";
        case Action::SubscriptionCreate:
            return "subscription:create";
        case Action::SubscriptionGet:
            return "subscription:get";
        case Action::SubscriptionUpdate:
            return "subscription:update";
        case Action::SubscriptionDelete:
            return "subscription:delete";
        case Action::SubscriptionConfirm:
            return "subscription:confirm";
    }
    return nullptr;
}

}  // namespace zaqard::api::policy
