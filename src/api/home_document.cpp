#include <memory>
#include <string>

#include "src/api/documents.h"

namespace zaqard::api {

namespace {

// Zaqar's JSON_HOME, in its key order (zaqar/transport/wsgi/v2_0/homedoc.py).
constexpr const char* kResources = R"({
"rel/queues": {"href-template": "/v2/queues{?marker,limit,detailed}",
  "href-vars": {"marker": "param/marker", "limit": "param/queue_limit", "detailed": "param/detailed"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/queue": {"href-template": "/v2/queues/{queue_name}",
  "href-vars": {"queue_name": "param/queue_name"},
  "hints": {"allow": ["GET", "PUT", "DELETE", "PATCH"], "formats": {"application/json": {}}}},
"rel/queue_stats": {"href-template": "/v2/queues/{queue_name}/stats",
  "href-vars": {"queue_name": "param/queue_name"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/queue_share": {"href-template": "/v2/queues/{queue_name}/share",
  "href-vars": {"queue_name": "param/queue_name"},
  "hints": {"allow": ["POST"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/queue_purge": {"href-template": "/v2/queues/{queue_name}/purge",
  "href-vars": {"queue_name": "param/queue_name"},
  "hints": {"allow": ["POST"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/messages": {"href-template": "/v2/queues/{queue_name}/messages{?marker,limit,echo,include_claimed}",
  "href-vars": {"queue_name": "param/queue_name", "marker": "param/marker", "limit": "param/messages_limit",
                "echo": "param/echo", "include_claimed": "param/include_claimed"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/post_messages": {"href-template": "/v2/queues/{queue_name}/messages",
  "href-vars": {"queue_name": "param/queue_name"},
  "hints": {"allow": ["POST"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/messages_delete": {"href-template": "/v2/queues/{queue_name}/messages{?ids,pop}",
  "href-vars": {"queue_name": "param/queue_name", "ids": "param/ids", "pop": "param/pop"},
  "hints": {"allow": ["DELETE"], "formats": {"application/json": {}}}},
"rel/message_delete": {"href-template": "/v2/queues/{queue_name}/messages/{message_id}{?claim}",
  "href-vars": {"queue_name": "param/queue_name", "message_id": "param/message_id", "claim": "param/claim_id"},
  "hints": {"allow": ["DELETE"], "formats": {"application/json": {}}}},
"rel/message_get": {"href-template": "/v2/queues/{queue_name}/messages/{message_id}",
  "href-vars": {"queue_name": "param/queue_name", "message_id": "param/message_id"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/claim": {"href-template": "/v2/queues/{queue_name}/claims/{claim_id}",
  "href-vars": {"queue_name": "param/queue_name", "claim_id": "param/claim_id"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/post_claim": {"href-template": "/v2/queues/{queue_name}/claims{?limit}",
  "href-vars": {"queue_name": "param/queue_name", "limit": "param/claim_limit"},
  "hints": {"allow": ["POST"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/patch_claim": {"href-template": "/v2/queues/{queue_name}/claims/{claim_id}",
  "href-vars": {"queue_name": "param/queue_name", "claim_id": "param/claim_id"},
  "hints": {"allow": ["PATCH"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/delete_claim": {"href-template": "/v2/queues/{queue_name}/claims/{claim_id}",
  "href-vars": {"queue_name": "param/queue_name", "claim_id": "param/claim_id"},
  "hints": {"allow": ["DELETE"], "formats": {"application/json": {}}}},
"rel/subscriptions_get": {"href-template": "/v2/queues/{queue_name}/subscriptions{?marker,limit}",
  "href-vars": {"queue_name": "param/queue_name", "marker": "param/marker", "limit": "param/subscription_limit"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/subscriptions_post": {"href-template": "/v2/queues/{queue_name}/subscriptions",
  "href-vars": {"queue_name": "param/queue_name", "limit": "param/subscription_limit"},
  "hints": {"allow": ["POST"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/subscription": {"href-template": "/v2/queues/{queue_name}/subscriptions/{subscriptions_id}",
  "href-vars": {"queue_name": "param/queue_name", "subscriptions_id": "param/subscriptions_id"},
  "hints": {"allow": ["GET", "DELETE"], "formats": {"application/json": {}}}},
"rel/subscription_patch": {"href-template": "/v2/queues/{queue_name}/subscriptions/{subscriptions_id}",
  "href-vars": {"queue_name": "param/queue_name", "subscriptions_id": "param/subscriptions_id"},
  "hints": {"allow": ["PATCH"], "formats": {"application/json": {}}, "accept-post": ["application/json"]}},
"rel/ping": {"href-template": "/v2/ping",
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}}
})";

constexpr const char* kAdminResources = R"({
"rel/pools": {"href-template": "/v2/pools{?detailed,limit,marker}",
  "href-vars": {"detailed": "param/detailed", "limit": "param/pool_limit", "marker": "param/marker"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/pool": {"href-template": "/v2/pools/{pool_name}",
  "href-vars": {"pool_name": "param/pool_name"},
  "hints": {"allow": ["GET", "PUT", "PATCH", "DELETE"], "formats": {"application/json": {}}}},
"rel/flavors": {"href-template": "/v2/flavors{?detailed,limit,marker}",
  "href-vars": {"detailed": "param/detailed", "limit": "param/flavor_limit", "marker": "param/marker"},
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}},
"rel/flavor": {"href-template": "/v2/flavors/{flavor_name}",
  "href-vars": {"flavor_name": "param/flavor_name"},
  "hints": {"allow": ["GET", "PUT", "PATCH", "DELETE"], "formats": {"application/json": {}}}},
"rel/health": {"href": "/v2/health",
  "hints": {"allow": ["GET"], "formats": {"application/json": {}}}}
})";

constexpr const char* kVersions = R"({"versions": [
  {"id": "1", "status": "DEPRECATED", "updated": "2014-9-11T17:47:05Z",
   "media-types": [{"base": "application/json", "type": "application/vnd.openstack.messaging-v1+json"}],
   "links": [{"href": "/v1/", "rel": "self"}]},
  {"id": "1.1", "status": "DEPRECATED", "updated": "2016-7-29T02:22:47Z",
   "media-types": [{"base": "application/json", "type": "application/vnd.openstack.messaging-v1_1+json"}],
   "links": [{"href": "/v1.1/", "rel": "self"}]},
  {"id": "2", "status": "CURRENT", "updated": "2014-9-24T04:06:47Z",
   "media-types": [{"base": "application/json", "type": "application/vnd.openstack.messaging-v2+json"}],
   "links": [{"href": "/v2/", "rel": "self"}]}]})";

struct FreeDeleter {
    void operator()(char* text) const { free(text); }
};

std::string renderHome(bool adminMode) {
    Json resources = parseJsonValue(kResources);
    if (adminMode) json_object_update(resources.get(), parseJsonValue(kAdminResources).get());
    Json document = Json::object();
    document.set("resources", std::move(resources));
    // json.dumps(indent=4, ensure_ascii=False): jansson's indented output has the same shape.
    std::unique_ptr<char, FreeDeleter> text(
        json_dumps(document.get(), JSON_INDENT(4) | JSON_PRESERVE_ORDER));
    return text ? std::string(text.get()) : std::string("{}");
}

}  // namespace

Response versionsDocument() {
    Response response;
    response.status = 300;
    response.body = parseJsonValue(kVersions);
    return response;
}

Response homeDocument(bool adminMode) {
    // Rendered once per mode: the document never changes while the process runs.
    static const std::string kPlain = renderHome(false);
    static const std::string kAdmin = renderHome(true);
    Response response;
    response.status = 200;
    response.contentType = "application/json-home";
    response.rawBody = adminMode ? kAdmin : kPlain;
    response.addHeader("Cache-Control", "max-age=86400");
    return response;
}

}  // namespace zaqard::api
