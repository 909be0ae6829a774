// Every action's request-body validation, through the same Api::handle the transports call
// (validation.*, body.*, subscription_validation.*, json_patch.* as the handlers use them).
// Input: byte 0 picks the action, byte 1 a few request variations, the rest is the body.
// Storage is a real RedisDriver that is never started (api_harness.h): a body that passes
// validation is answered 503, so what is fuzzed is everything before storage.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "src/api/action_table.h"
#include "src/api/post_body.h"
#include "tests/fuzz/api_harness.h"

using namespace zaqard;

namespace {

// The post body readers (src/api/post_body.h) must agree on every input: simdjson's
// answer is what is stored, jansson's is the reference.
void checkPostBodyReaders(const std::string& text) {
    api::PostDocument fast = api::readPostBody(text);
    api::PostDocument reference = api::readPostBodyWithJansson(text);
    if (fast.error != reference.error || fast.hasMessages != reference.hasMessages ||
        fast.messagesIsArray != reference.messagesIsArray ||
        fast.items.size() != reference.items.size())
        std::abort();
    for (size_t i = 0; i < fast.items.size(); ++i) {
        const api::PostItem& a = fast.items[i];
        const api::PostItem& b = reference.items[i];
        if (a.isObject != b.isObject || bool(a.fields) != bool(b.fields) ||
            (a.fields && !json_equal(a.fields.get(), b.fields.get())) ||
            a.body.has_value() != b.body.has_value())
            std::abort();
        // A kept body is valid JSON to jansson (it is spliced into replies as is).
        if (a.body && !parseJsonValue(*a.body)) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    api::Request request;
    request.action = static_cast<api::Action>(data[0] % api::kActionCount);
    const uint8_t flags = data[1];
    request.hasBody = (flags & 1) == 0;  // mostly with a body; sometimes none at all
    request.body.assign(reinterpret_cast<const char*>(data + 2), size - 2);
    if (!request.hasBody) request.body.clear();
    if (request.action == api::Action::MessagePost) checkPostBodyReaders(request.body);

    request.headers = {{"Client-ID", "3381af92-2b9e-11e3-b191-71861300734c"},
                       {"X-Project-ID", "fuzz-project"},
                       {"Content-Type", "application/json"}};
    if (flags & 2) request.headers["X-Roles"] = "admin";
    // PATCH of queue or topic metadata wants the json-patch media type (else 415).
    if ((request.action == api::Action::QueueUpdate ||
         request.action == api::Action::TopicUpdate) &&
        !(flags & 64))
        request.headers["Content-Type"] = "application/openstack-messaging-v2.0-json-patch";
    request.queueName = "fuzzq";
    request.topicName = "fuzzt";
    request.messageId = "51db6f78c508f17ddc924357";
    request.claimId = "51db7067821e727dc24df754";
    request.subscriptionId = "57692ab13990b48c644bb7e6";
    request.poolName = "fuzzpool";
    request.flavorName = "fuzzflavor";
    request.path = api::expandPath(api::actionSpec(request.action).rest.path
                                       ? api::actionSpec(request.action).rest.path
                                       : "/v2",
                                   request.pathParams());
    // Query parameters some bodies are read with (e.g. DELETE ?ids= / ?pop=, claim limit).
    if (flags & 4) request.query.emplace_back("limit", "5");
    if (flags & 8) request.query.emplace_back("claim_id", "51db7067821e727dc24df754");
    if (flags & 16) request.query.emplace_back("pop", "2");
    if (flags & 32) request.dialect = api::Dialect::WebSocket;

    api::Response response = fuzz::apiHarness().run(std::move(request));
    // Bad input is Zaqar's 4xx body; a 500 would be a crash the client sees.
    if (response.status == 500) std::abort();
    if (response.body) (void)response.body.dump();
    return 0;
}
