/**
 * Where mingo's operators differ from MongoDB's, the engine registers its own in a mingo context
 * used for every pipeline and `$expr`: `$match` runs the engine's matcher (so a pipeline matches
 * exactly as find does), `$type` reports MongoDB's type names (a Long stays "long" when the input
 * document held one), and `$sum` adds Decimal128 values exactly.
 */
import type { Document } from 'bson';
import { Context, evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import type { Options } from 'mingo/types';
import { decAdd, fromBigInt, isDecimal128, roundedFromDouble, toDecimal128, type Dec } from './decimal';
import { getPath, isNumeric, numericToDec, toNumber, typeName } from './values';

/** Number views handed to mingo, each mapped to the stored document it came from. */
const origins = new WeakMap<object, Document>();

export function registerOrigin(view: Document, original: Document): void {
  origins.set(view, original);
}

function bsonTypeOf(v: unknown): string | undefined {
  return typeof v === 'object' && v !== null ? (v as { _bsontype?: string })._bsontype : undefined;
}

function typeOp(obj: unknown, expr: unknown, options: Options): string {
  const arg = Array.isArray(expr) && expr.length === 1 ? expr[0] : expr;
  if (typeof arg === 'string' && arg.startsWith('$') && !arg.startsWith('$$') && typeof obj === 'object' && obj !== null) {
    const original = origins.get(obj);
    if (original) {
      const v = getPath(original, arg.slice(1));
      if (v !== undefined) return typeName(v);
    }
  }
  const v = evalExpr(obj, arg, options);
  return v === undefined ? 'missing' : typeName(v);
}

/** Adds numbers as MongoDB's $sum does: exactly in Decimal128 once a decimal is involved. */
export function sumValues(values: unknown[]): unknown {
  const nums = values.filter(isNumeric);
  if (!nums.some(isDecimal128)) {
    let total = 0;
    for (const n of nums) total += toNumber(n);
    return total;
  }
  let acc: Dec = fromBigInt(0n);
  for (const n of nums) {
    const t = bsonTypeOf(n);
    const d = t === 'Decimal128' || t === 'Long' ? numericToDec(n) : Number.isInteger(toNumber(n)) ? fromBigInt(BigInt(toNumber(n))) : roundedFromDouble(toNumber(n));
    acc = decAdd(acc, d);
  }
  return toDecimal128(acc);
}

/** $sum in $group (over the group) and in expressions (mingo passes the evaluated array). */
function sumAccumulator(coll: unknown[], expr: unknown, options: Options): unknown {
  if (expr === null) return sumValues(coll);
  if (typeof expr === 'number') return coll.length * expr;
  return sumValues(accumulatorOperators.$push(coll as never, expr as never, options as never) as unknown[]);
}

/**
 * Pipeline operators that replace mingo's own, registered by the files that define them before the
 * context is first built (the engine's matcher registers `$match`: see matcher.ts). Registration
 * keeps this file below the matcher, which uses the context for `$expr`.
 */
const pipelineOverrides: Record<string, unknown> = {};

export function overridePipelineOperator(name: string, fn: unknown): void {
  if (context) throw new Error(`pipeline operator ${name} registered after the mingo context was built`);
  pipelineOverrides[name] = fn;
}

let context: Context | null = null;

export function mingoContext(): Context {
  if (!context) {
    // mingo's own entry points merge their defaults over a given context; the engine uses the
    // plain Aggregator and Query classes with this complete context instead.
    context = Context.init({
      accumulator: { ...accumulatorOperators, $sum: sumAccumulator },
      expression: { ...expressionOperators, $type: typeOp },
      pipeline: { ...pipelineOperators, ...pipelineOverrides },
      projection: { ...projectionOperators },
      query: { ...queryOperators },
      window: { ...windowOperators },
    } as never);
  }
  return context;
}
