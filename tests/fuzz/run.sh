#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (build-fuzz/, -DZAQARD_FUZZ=ON) and runs them:
#   tests/fuzz/run.sh [target|all] [seconds]      e.g. tests/fuzz/run.sh ws_frame 600
# Each campaign starts from the committed corpus (tests/fuzz/corpus/<target>), runs nice'd
# for `seconds` (default 300) on one core, keeps crashes in build-fuzz/artifacts/<target>/,
# then minimizes the corpus back into tests/fuzz/corpus/<target> (-merge=1; MERGE=0 skips
# it; NO_BUILD=1 skips the build). The final libFuzzer statistics (executions, coverage) end each run's log,
# build-fuzz/logs/<target>.log. Targets: the fuzz_<target>.cpp files here.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${BUILD_DIR:-$root/build-fuzz}"
target="${1:-all}"
seconds="${2:-300}"

if [ "$target" = all ]; then
    targets=$(cd "$here" && ls fuzz_*.cpp | sed 's/^fuzz_//; s/\.cpp$//')
else
    targets="$target"
fi

# NO_BUILD=1 runs the binaries as they are (e.g. while another build is under way).
if [ "${NO_BUILD:-0}" = 1 ]; then
    :
elif [ ! -f "$build/CMakeCache.txt" ]; then
    CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DZAQARD_FUZZ=ON -DZAQARD_BENCH=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
        "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" >/dev/null
fi
[ "${NO_BUILD:-0}" = 1 ] || cmake --build "$build" -j"${JOBS:-2}" --target $(printf 'fuzz_%s ' $targets)

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$build/logs"
for t in $targets; do
    case "$t" in
        api_body | json_patch | ws_frame | policy_file) dict="$here/dict/json.dict" ;;
        *) dict="$here/dict/$t.dict" ;;
    esac
    dict_arg=()
    [ -f "$dict" ] && dict_arg=(-dict="$dict")
    work="$build/corpus/$t"
    mkdir -p "$work" "$build/artifacts/$t" "$here/corpus/$t"
    echo "== fuzz_$t for ${seconds}s" >&2
    nice -n 10 "$build/tests/fuzz/fuzz_$t" "${dict_arg[@]}" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" \
        "$work" "$here/corpus/$t" 2>"$build/logs/$t.log" || {
        tail -n 60 "$build/logs/$t.log" >&2
        echo "fuzz_$t found a crash: $build/artifacts/$t/" >&2
        exit 1
    }
    grep -E '^stat::|^#[0-9]+.*DONE' "$build/logs/$t.log" >&2 || true
    if [ "${MERGE:-1}" = 1 ]; then
        merged="$build/merged/$t"
        rm -rf "$merged" && mkdir -p "$merged"
        nice -n 10 "$build/tests/fuzz/fuzz_$t" -merge=1 "$merged" "$here/corpus/$t" "$work" \
            2>"$build/logs/$t.merge.log"
        rm -rf "$here/corpus/$t" && mv "$merged" "$here/corpus/$t"
        echo "corpus/$t: $(ls "$here/corpus/$t" | wc -l) files" >&2
    fi
done
