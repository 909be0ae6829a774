// Claim responders (rest-v2.md §6): create, get, renew, release.
#include "src/api/body.h"
#include "src/api/errors.h"
#include "src/api/handlers/handlers.h"
#include "src/api/handlers/long_poll.h"
#include "src/api/query.h"
#include "src/api/render_rest.h"
#include "src/api/render_websocket.h"
#include "src/api/validation.h"

namespace zaqard::api::handlers {

namespace {

// Reads {"ttl", "grace"} (other keys ignored); an omitted field takes the configured
// default, also on PATCH where it does not keep the old value (Zaqar's behaviour).
Rejection readClaimBody(const CallPtr& call, int64_t& ttl, int64_t& grace) {
    Json document;
    if (auto r = deserializeBody(call->request, document)) return r;
    if (!json_is_object(document.get())) return documentTypeNotSupported();
    if (auto r = checkedIntField(document.get(), "ttl", call->limits().default_claim_ttl, ttl))
        return r;
    return checkedIntField(document.get(), "grace", call->limits().default_claim_grace, grace);
}

Response claimNotFound(const CallPtr& call) {
    if (call->websocket())
        return ws::error(404, claimDoesNotExist(call->request.claimId, call->name(), call->project),
                         "Claim " + call->request.claimId + " does not exist.");
    return notFound(claimDoesNotExist(call->request.claimId, call->name(), call->project));
}

// Answers a claim_create (201 with the messages, or 204 when nothing was claimed).
void replyClaim(const CallPtr& call, Result<storage::ClaimResult> created) {
    if (!created) return call->reply(storageError(created.error(), "Claim could not be created."));
    if (call->websocket()) {
        // Nothing claimable: 204 with {"claim_id": null} (Z15 puts a phantom id).
        if (created->claimId.empty() || created->messages.empty())
            return call->reply(ws::reply(204, Json::object().set("claim_id", Json::null())));
        Response response;
        response.status = 201;
        response.rawBody = ws::claimCreatedText(created->messages, created->claimId);
        return call->reply(std::move(response));
    }
    // Nothing claimable: 204 without body or Location.
    if (created->claimId.empty() || created->messages.empty())
        return call->reply(emptyResponse(204));
    Response response;
    response.status = 201;
    response.addHeader("Location", call->request.path + "/" + created->claimId);
    response.rawBody = rest::messagesText(created->messages, call->basePath(), created->claimId,
                                          call->checksum(), "");
    call->reply(std::move(response));
}

}  // namespace

void claimCreate(const CallPtr& call) {
    const auto& limits = call->limits();
    QueryParams params(call->request.query);
    std::optional<int64_t> limit, wait;
    if (auto r = params.getInt("limit", limit)) return call->reply(std::move(*r));
    if (auto r = readWait(params, wait)) return call->reply(std::move(*r));

    storage::ClaimRequest claim;
    claim.queue = call->queue();
    claim.ttl = limits.default_claim_ttl;
    claim.grace = limits.default_claim_grace;
    // No body, or an empty one, means the defaults.
    if (call->request.hasBody && !call->request.body.empty()) {
        if (auto r = readClaimBody(call, claim.ttl, claim.grace)) return call->reply(std::move(*r));
    }
    // Zaqar's order: ttl, limit, grace.
    if (auto problem = claimTtl(claim.ttl, limits)) return call->reply(badRequestApi(*problem));
    if (limit) {
        if (auto problem = claimLimit(*limit, limits)) return call->reply(badRequestApi(*problem));
        claim.limit = *limit;
    }
    if (auto problem = claimGrace(claim.grace, limits)) return call->reply(badRequestApi(*problem));
    if (wait) {
        if (auto r = checkWait(call, *wait)) return call->reply(std::move(*r));
    }

    if (!waits(call, wait))
        return call->storage.claims.create(
            claim, [call](Result<storage::ClaimResult> created) { replyClaim(call, created); });
    longPoll(call, Waiters::Kind::Claim, *wait,
             [call, claim](Waiters::Attempt attempt,
                           std::function<void(Waiters::Outcome)> done) mutable {
                 claim.waitMs = attempt.final ? 0 : attempt.markMs;
                 call->storage.claims.create(
                     claim, [call, attempt, done](Result<storage::ClaimResult> created) {
                         if (!attempt.final && created && created->messages.empty())
                             return done({false, created->wakeInMs});
                         replyClaim(call, std::move(created));
                         done({true, -1});
                     });
             });
}

void claimGet(const CallPtr& call) {
    call->storage.claims.get(
        call->queue(), call->request.claimId, [call](Result<storage::ClaimInfo> info) {
            if (!info) {
                if (info.error().kind == ErrorKind::NotFound)
                    return call->reply(claimNotFound(call));
                return call->reply(storageError(info.error(), "Claim could not be queried."));
            }
            // The path's claim id is the one shown, as Zaqar builds hrefs from the request.
            info->id = call->request.claimId;
            if (call->websocket()) return call->reply(ws::reply(200, ws::claim(info.value())));
            Response response;
            response.rawBody = rest::claimText(info.value(), call->basePath(), call->checksum());
            call->reply(std::move(response));
        });
}

void claimUpdate(const CallPtr& call) {
    int64_t ttl = 0, grace = 0;
    if (auto r = readClaimBody(call, ttl, grace)) return call->reply(std::move(*r));
    // Only the TTL is range-checked on renewal.
    if (auto problem = claimTtl(ttl, call->limits())) return call->reply(badRequestApi(*problem));
    call->storage.claims.renew(
        call->queue(), call->request.claimId, ttl, grace, [call](Status done) {
            if (!done) {
                if (done.error().kind == ErrorKind::NotFound)
                    return call->reply(claimNotFound(call));
                return call->reply(storageError(done.error(), "Claim could not be updated."));
            }
            if (call->websocket())
                return call->reply(
                    ws::sentence(204, "Claim " + call->request.claimId + " updated."));
            call->reply(emptyResponse(204));
        });
}

void claimDelete(const CallPtr& call) {
    call->storage.claims.release(call->queue(), call->request.claimId, [call](Status done) {
        if (!done) return call->reply(storageError(done.error(), "Claim could not be deleted."));
        if (call->websocket())
            return call->reply(ws::sentence(204, "Claim " + call->request.claimId + " deleted."));
        call->reply(emptyResponse(204));
    });
}

}  // namespace zaqard::api::handlers
