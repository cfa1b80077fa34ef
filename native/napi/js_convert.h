// Reading plain JS values (attributes, shapes, program specs) into core types, validating as we
// go: every malformed value throws ml::Error (Value) naming where it was found.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "autodiff/primitive.h"
#include "autodiff/program.h"

namespace ml::napi {

// A plain object (not an array).
Napi::Object object_from_js(const Napi::Value& value, const std::string& what);
// An integer in [min, max] (a JS number with no fraction).
int64_t int_from_js(const Napi::Value& value, const std::string& what, int64_t min, int64_t max);
std::vector<int64_t> int_list_from_js(const Napi::Value& value, const std::string& what, int64_t min, int64_t max);
Shape shape_from_js(const Napi::Value& value, const std::string& what);
DType dtype_from_js(const Napi::Value& value, const std::string& what);
Napi::Array shape_to_js(Napi::Env env, const Shape& shape);

Prim prim_from_js(const Napi::Value& value, const std::string& what);
// The attributes `prim` reads, from a JS object (lib/backend/primitives.ts PrimitiveAttrMap).
Attrs attrs_from_js(Prim prim, const Napi::Value& value, const std::string& what);
// ProgramSpec (lib/backend/types.ts) -> a compiled, validated Program.
std::shared_ptr<const Program> program_from_js(const Napi::Value& spec);

}  // namespace ml::napi
