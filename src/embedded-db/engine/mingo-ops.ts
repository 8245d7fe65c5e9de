/**
 * Where mingo's operators differ from MongoDB's, the engine registers its own in a mingo context
 * used for every pipeline and `$expr`: `$match` runs the engine's matcher (so a pipeline matches
 * exactly as find does), `$type` reports MongoDB's type names (a Long stays "long" when the input
 * document held one), and arithmetic (`$add`, `$subtract`, `$multiply`, `$divide`, `$round`,
 * `$trunc`, `$sum`, `$avg`) computes exactly in Decimal128 once a decimal is involved, as MongoDB
 * does (any decimal operand makes the result a decimal); without one, mingo's own operators run.
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
import { MongoError } from '../errors';
import { decAdd, decDiv, decIsZero, decMul, decNegate, decRound, fromBigInt, fromDecimal128, isDecimal128, roundedFromDouble, toDecimal128, type Dec } from './decimal';
import { getPath, isNumeric, toNumber, typeName } from './values';

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

/**
 * A number as MongoDB converts it for decimal arithmetic: a Long or an integral number exactly, a
 * fractional double rounded to 15 significant digits (Decimal128's conversion from a double).
 */
function toDec(v: unknown): Dec {
  if (isDecimal128(v)) return fromDecimal128(v);
  if (bsonTypeOf(v) === 'Long') return fromBigInt((v as { toBigInt(): bigint }).toBigInt());
  const n = toNumber(v);
  return Number.isInteger(n) ? fromBigInt(BigInt(n)) : roundedFromDouble(n);
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
  for (const n of nums) acc = decAdd(acc, toDec(n));
  return toDecimal128(acc);
}

/** $sum in $group (over the group) and in expressions (mingo passes the evaluated array). */
function sumAccumulator(coll: unknown[], expr: unknown, options: Options): unknown {
  if (expr === null) return sumValues(coll);
  if (typeof expr === 'number') return coll.length * expr;
  return sumValues(accumulatorOperators.$push(coll as never, expr as never, options as never) as unknown[]);
}

/** $avg likewise: a decimal among the values makes the mean an exact decimal. */
function avgAccumulator(coll: unknown[], expr: unknown, options: Options): unknown {
  const values = expr === null ? coll : (accumulatorOperators.$push(coll as never, expr as never, options as never) as unknown[]);
  const nums = values.filter(isNumeric);
  if (!nums.some(isDecimal128)) return accumulatorOperators.$avg(coll as never, expr as never, options as never);
  let acc: Dec = fromBigInt(0n);
  for (const n of nums) acc = decAdd(acc, toDec(n));
  return toDecimal128(decDiv(acc, fromBigInt(BigInt(nums.length))));
}

type ExpressionOperator = (obj: unknown, expr: unknown, options: Options) => unknown;

const isNil = (v: unknown): boolean => v === null || v === undefined;

/**
 * Wraps one of mingo's arithmetic operators: the arguments are evaluated once; without a
 * Decimal128 among them (or with a date, or a value that is no number, for mingo to refuse)
 * mingo's operator runs on them as literals; otherwise `decimal` computes the result.
 */
function decimalAware(original: ExpressionOperator, decimal: (args: unknown[]) => unknown): ExpressionOperator {
  return (obj, expr, options) => {
    const args = evalExpr(obj, expr as never, options);
    if (!Array.isArray(args)) return original(obj, expr, options);
    const literals = (vs: unknown[]): unknown[] => vs.map(($literal) => ({ $literal }));
    if (!args.some(isDecimal128)) return original(obj, literals(args), options);
    if (args.some(isNil)) return null;
    if (args.some((a) => a instanceof Date)) {
      // Date arithmetic counts milliseconds: a decimal operand is used as a number there.
      return original(obj, literals(args.map((a) => (isDecimal128(a) ? toNumber(a) : a))), options);
    }
    if (!args.every(isNumeric)) return original(obj, literals(args), options);
    return decimal(args);
  };
}

const arithmetic = expressionOperators as unknown as Record<string, ExpressionOperator>;

const $add = decimalAware(arithmetic.$add, (args) => toDecimal128(args.reduce<Dec>((acc, a) => decAdd(acc, toDec(a)), fromBigInt(0n))));
const $multiply = decimalAware(arithmetic.$multiply, (args) => toDecimal128(args.reduce<Dec>((acc, a) => decMul(acc, toDec(a)), fromBigInt(1n))));
const $subtract = decimalAware(arithmetic.$subtract, (args) => {
  if (args.length !== 2) throw new MongoError(16020, `Expression $subtract takes exactly 2 arguments. ${args.length} were passed in.`);
  return toDecimal128(decAdd(toDec(args[0]), decNegate(toDec(args[1]))));
});
const $divide = decimalAware(arithmetic.$divide, (args) => {
  if (args.length !== 2) throw new MongoError(16020, `Expression $divide takes exactly 2 arguments. ${args.length} were passed in.`);
  const divisor = toDec(args[1]);
  if (decIsZero(divisor)) throw new MongoError(16608, "can't $divide by zero");
  return toDecimal128(decDiv(toDec(args[0]), divisor));
});

/** $round and $trunc of a Decimal128: exact, to the place asked (half to even for $round). */
function roundingOperator(original: ExpressionOperator, mode: 'half-even' | 'trunc'): ExpressionOperator {
  return (obj, expr, options) => {
    const args = Array.isArray(expr) ? (evalExpr(obj, expr as never, options) as unknown[]) : null;
    if (!args || !isDecimal128(args[0])) return original(obj, args ? args.map(($literal) => ({ $literal })) : expr, options);
    const place = args.length > 1 ? args[1] : 0;
    if (isNil(place)) return null;
    if (!isNumeric(place) || !Number.isInteger(toNumber(place)) || toNumber(place) < -20 || toNumber(place) > 100) {
      return original(obj, args.map(($literal) => ({ $literal })), options);
    }
    return toDecimal128(decRound(fromDecimal128(args[0]), toNumber(place), mode));
  };
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
      accumulator: { ...accumulatorOperators, $sum: sumAccumulator, $avg: avgAccumulator },
      expression: {
        ...expressionOperators,
        $type: typeOp,
        $add,
        $subtract,
        $multiply,
        $divide,
        $round: roundingOperator(arithmetic.$round, 'half-even'),
        $trunc: roundingOperator(arithmetic.$trunc, 'trunc'),
      },
      pipeline: { ...pipelineOperators, ...pipelineOverrides },
      projection: { ...projectionOperators },
      query: { ...queryOperators },
      window: { ...windowOperators },
    } as never);
  }
  return context;
}
