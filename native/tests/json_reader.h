// A small JSON reader for test data files (test/ops/cases.json): objects, arrays, numbers,
// strings without escapes beyond \" \\ \/ \n \t, booleans and null. Throws std::runtime_error
// naming the offset of the first malformed character.
#pragma once
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ml_test {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> items;                           // Array
  std::vector<std::pair<std::string, Json>> fields;  // Object, in file order

  // The field named key of an object; nullptr when absent.
  const Json* get(const std::string& key) const {
    for (const auto& field : fields)
      if (field.first == key) return &field.second;
    return nullptr;
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : text_(text) {}

  Json parse() {
    Json value = parse_value();
    skip_space();
    if (pos_ != text_.size()) error("trailing characters");
    return value;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    throw std::runtime_error("json: " + what + " at offset " + std::to_string(pos_));
  }

  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) error(std::string("expected '") + c + "'");
  }

  bool consume_word(const char* word) {
    std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }

  std::string parse_string() {
    expect('"');
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) error("unterminated escape");
        char e = text_[pos_++];
        c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        if (e != 'n' && e != 't' && e != '"' && e != '\\' && e != '/') error("unsupported escape");
      }
      out.push_back(c);
    }
    expect('"');
    return out;
  }

  Json parse_value() {
    skip_space();
    if (pos_ >= text_.size()) error("unexpected end");
    Json v;
    char c = text_[pos_];
    if (c == '{') {
      v.kind = Json::Kind::Object;
      ++pos_;
      if (consume('}')) return v;
      do {
        skip_space();
        std::string key = parse_string();
        expect(':');
        v.fields.emplace_back(std::move(key), parse_value());
      } while (consume(','));
      expect('}');
    } else if (c == '[') {
      v.kind = Json::Kind::Array;
      ++pos_;
      if (consume(']')) return v;
      do v.items.push_back(parse_value());
      while (consume(','));
      expect(']');
    } else if (c == '"') {
      v.kind = Json::Kind::String;
      v.string = parse_string();
    } else if (consume_word("true") || consume_word("false")) {
      v.kind = Json::Kind::Bool;
      v.boolean = c == 't';
    } else if (consume_word("null")) {
      v.kind = Json::Kind::Null;
    } else {
      const char* start = text_.c_str() + pos_;
      char* end = nullptr;
      v.number = std::strtod(start, &end);
      if (end == start) error("unexpected character");
      v.kind = Json::Kind::Number;
      pos_ += static_cast<size_t>(end - start);
    }
    return v;
  }

  const std::string& text_;
  size_t pos_ = 0;
};

inline Json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  return JsonParser(text).parse();
}

}  // namespace ml_test
