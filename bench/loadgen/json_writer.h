// A minimal streaming JSON writer for the report (objects, arrays, strings, numbers).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace zqbench {

class JsonWriter {
  public:
    JsonWriter& beginObject();
    JsonWriter& endObject();
    JsonWriter& beginArray();
    JsonWriter& endArray();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(double number);
    JsonWriter& value(uint64_t number);
    JsonWriter& value(int number) { return value(static_cast<double>(number)); }
    JsonWriter& value(bool flag);

    const std::string& text() const { return out_; }

  private:
    void separate();
    void indent();
    std::string out_;
    std::vector<bool> first_;  // per open container: no element written yet
    bool afterKey_ = false;
};

}  // namespace zqbench
