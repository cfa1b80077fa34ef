// oneHot: labels [n] (integer class ids as floats) -> [n, numClasses]. Labels are data: its
// derivatives are zero.
#include "autodiff/ops/rule_helpers.h"

namespace ml {
namespace {

const OpDef kRows[] = {
    {Prim::OneHot, "oneHot", 1, {{"numClasses", AttrField::NumClasses}},
     ML_FORWARD { return ops::one_hot(x[0], a.numClasses); },
     rules::no_vjp,
     rules::no_jvp},
};

}  // namespace

OpFamily one_hot_ops() { return family_of(kRows); }

}  // namespace ml
