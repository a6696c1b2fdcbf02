#!/usr/bin/env python3
"""irt_reference.py -- a plain-Python reference for assay's 2PL fit.

The same estimator as src/stats/irt_fit.c, step for step, in the Python 3
standard library only (no numpy), so that bench/irt.sh can time assay
against it and check that both land on the same estimates:

  * Bock-Aitkin EM for P(y=1) = sigmoid(a (theta - b)), theta ~ N(0, 1),
    priors log a ~ N(0, 1), b ~ N(0, 3^2);
  * 41 Gauss-Hermite nodes first; after 5 iterations (and again at
    convergence) an equally spaced grid when some subject's posterior is
    narrower than half the node spacing, spacing 1.5 x the narrowest
    posterior SD;
  * E-step in log space with log-sum-exp; posterior weights below 1e-15
    dropped, so each subject keeps a window of nodes;
  * M-step: Newton on (log a, b) per item, long steps guarded by halving;
  * rescaling of the items so the pooled posterior has mean 0, variance 1
    (with 10 N(0, 1) pseudo-subjects added to the pooled moments);
  * SQUAREM extrapolation every two EM steps, undone when the next EM step
    moves the parameters more than the one before it;
  * item standard errors by Louis' formula, abilities as EAPs (adaptive
    Gauss-Hermite around the mode where the grid is too coarse).

What it leaves out are assay's pure speed-ups that do not change the
result: the complement lists for dense rows, the E-step window guard
(Python always computes the full grid) and the vectorised row kernels.

usage: irt_reference.py RESPONSES.jsonl [--out ESTIMATES.csv]
                                         [--compare OTHER.csv] [--iterations N]
Prints timings and a summary to stderr; --out writes kind,id,b,se_b,a,se_a,
ability,ability_sd rows; --compare reports the largest differences against
a CSV in the same layout (bench/irt_driver writes one). --iterations stops
the EM after N iterations (default 1000, as assay's max_iterations), so a
matrix too large for a full fit in Python can still be timed per iteration
against assay run to the same N; the results (abilities, standard errors)
are computed as after a full fit.
"""

import argparse
import csv
import json
import math
import sys
import time

TOLERANCE = 1e-4
MAX_ITERATIONS = 1000
QUADRATURE_NODES = 41
LOG_A_MEAN, LOG_A_SD = 0.0, 1.0
B_MEAN, B_SD = 0.0, 3.0
NEWTON_STEPS = 25
MAX_STEP = 1.0
SAFE_STEP = 0.2
POSTERIOR_FLOOR = 1e-15
ADAPTIVE_NODES = 9
GRID_MAX_SPACING_RATIO = 2.0
GRID_TARGET_RATIO = 1.5
GRID_MAX_NODES = 2001
GRID_MAX_REFINEMENTS = 3
GRID_FIRST_CHECK = 5
PRIOR_SUBJECTS = 10.0


def read_pyirt(path):
    """Subjects and items in order of first appearance; per subject the
    correct and incorrect item indices (ascending), per item likewise."""
    subject_ids, item_index, item_ids = [], {}, []
    correct_items, incorrect_items = [], []
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            responses = record["responses"]
            if not responses:
                continue
            subject_ids.append(record["subject_id"])
            right, wrong = [], []
            for item, value in responses.items():
                if value not in (0, 1) or isinstance(value, float):
                    sys.exit(f"{path}:{number}: response must be 0 or 1")
                if item not in item_index:
                    item_index[item] = len(item_ids)
                    item_ids.append(item)
                (right if value else wrong).append(item_index[item])
            correct_items.append(sorted(right))
            incorrect_items.append(sorted(wrong))
    item_correct = [[] for _ in item_ids]
    item_incorrect = [[] for _ in item_ids]
    for subject in range(len(subject_ids)):
        for item in correct_items[subject]:
            item_correct[item].append(subject)
        for item in incorrect_items[subject]:
            item_incorrect[item].append(subject)
    return subject_ids, item_ids, correct_items, incorrect_items, item_correct, item_incorrect


def gauss_hermite(count):
    """Nodes and log weights for the integral of f(x) exp(-x^2): Newton on
    the orthonormal Hermite recurrence from the largest root down."""
    nodes, log_weights = [0.0] * count, [0.0] * count
    roots = []
    n = float(count)
    root = 0.0
    for index in range((count + 1) // 2):
        if index == 0:
            root = math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1.0 / 6.0)
        elif index == 1:
            root -= 1.14 * n ** 0.426 / root
        elif index == 2:
            root = 1.86 * root - 0.86 * roots[0]
        elif index == 3:
            root = 1.91 * root - 0.91 * roots[1]
        else:
            root = 2.0 * root - roots[index - 2]
        for _ in range(100):
            value, derivative = hermite(count, root)
            change = value / derivative
            root -= change
            if abs(change) <= 1e-15 * (1.0 + abs(root)):
                break
        value, derivative = hermite(count, root)
        roots.append(root)
        log_weight = math.log(2.0) - 2.0 * math.log(abs(derivative))
        nodes[index], nodes[count - 1 - index] = -root, root
        log_weights[index] = log_weights[count - 1 - index] = log_weight
    if count % 2:
        nodes[count // 2] = 0.0
    return nodes, log_weights


def hermite(count, x):
    current, previous = math.pi ** -0.25, 0.0
    for degree in range(1, count + 1):
        older, previous = previous, current
        current = x * math.sqrt(2.0 / degree) * previous - math.sqrt((degree - 1) / degree) * older
    return current, math.sqrt(2.0 * count) * previous


def softplus(x):
    return x + math.log(1.0 + math.exp(-x)) if x > 0 else math.log(1.0 + math.exp(x))


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    tail = math.exp(z)
    return tail / (1.0 + tail)


class Model:
    def __init__(self, data):
        (self.subject_ids, self.item_ids, self.correct_items, self.incorrect_items,
         self.item_correct, self.item_incorrect) = data
        self.subjects, self.items = len(self.subject_ids), len(self.item_ids)
        self.log_a = [0.0] * self.items
        self.b = [0.0] * self.items
        for item in range(self.items):
            right, wrong = len(self.item_correct[item]), len(self.item_incorrect[item])
            p = right / (right + wrong) if right + wrong else 0.5
            p = min(max(p, 0.02), 0.98)
            self.b[item] = -math.log(p / (1 - p)) / 0.86
        self.item_change = [math.inf] * self.items
        self.set_gauss_hermite(QUADRATURE_NODES)

    # ---- grids -------------------------------------------------------------
    def set_gauss_hermite(self, count):
        x, log_w = gauss_hermite(count)
        self.nodes = [math.sqrt(2.0) * value for value in x]
        self.log_prior = [value - 0.5 * math.log(math.pi) for value in log_w]
        self.equally_spaced, self.spacing = False, 0.0

    def set_equally_spaced(self, spacing, limit):
        half = math.ceil(limit / spacing)
        self.nodes = [(node - half) * spacing for node in range(2 * half + 1)]
        log_prior = [-0.5 * theta * theta for theta in self.nodes]
        total = math.log(sum(math.exp(value) for value in log_prior))
        self.log_prior = [value - total for value in log_prior]
        self.equally_spaced, self.spacing = True, spacing

    def local_spacing(self, theta):
        if self.equally_spaced:
            return self.spacing
        node = 1
        while node + 1 < len(self.nodes) and self.nodes[node] < theta:
            node += 1
        return self.nodes[node] - self.nodes[node - 1]

    # ---- E-step ------------------------------------------------------------
    def expectation(self):
        nodes, count = self.nodes, len(self.nodes)
        self.a = [math.exp(value) for value in self.log_a]
        self.ab = [self.a[item] * self.b[item] for item in range(self.items)]
        log_fail = [[-softplus(self.a[item] * (theta - self.b[item])) for theta in nodes]
                    for item in range(self.items)]
        self.windows, self.means = [], []
        log_likelihood = first = second = 0.0
        for subject in range(self.subjects):
            right = self.correct_items[subject]
            slope = sum(self.a[item] for item in right)
            offset = sum(self.ab[item] for item in right)
            row = [self.log_prior[node] + nodes[node] * slope - offset for node in range(count)]
            for item in right:
                row = [x + y for x, y in zip(row, log_fail[item])]
            for item in self.incorrect_items[subject]:
                row = [x + y for x, y in zip(row, log_fail[item])]
            largest = max(row)
            weights = [math.exp(value - largest) for value in row]
            total = sum(weights)
            weights = [value / total for value in weights]
            kept = [node for node in range(count) if weights[node] >= POSTERIOR_FLOOR]
            begin, end = kept[0], kept[-1] + 1
            window = [w if w >= POSTERIOR_FLOOR else 0.0 for w in weights[begin:end]]
            mean = sum(w * nodes[begin + k] for k, w in enumerate(window))
            first += mean
            second += sum(w * nodes[begin + k] ** 2 for k, w in enumerate(window))
            self.windows.append((begin, window))
            self.means.append(mean)
            log_likelihood += largest + math.log(total)
        self.pooled_mean = first / self.subjects
        self.pooled_variance = max(second / self.subjects - self.pooled_mean ** 2, 1e-12)
        return log_likelihood

    # ---- M-step ------------------------------------------------------------
    def item_counts(self, item):
        count = len(self.nodes)
        respondents, correct = [0.0] * count, [0.0] * count
        for subject in self.item_correct[item]:
            begin, window = self.windows[subject]
            for k, w in enumerate(window):
                respondents[begin + k] += w
                correct[begin + k] += w
        for subject in self.item_incorrect[item]:
            begin, window = self.windows[subject]
            for k, w in enumerate(window):
                respondents[begin + k] += w
        active = [node for node in range(count) if respondents[node] > 0]
        return respondents, correct, active

    def objective(self, counts, log_a, b, with_value):
        respondents, correct, active = counts
        a = math.exp(log_a)
        value = g_a = g_b = i_aa = i_ab = i_bb = 0.0
        for node in active:
            n, r = respondents[node], correct[node]
            z = a * (self.nodes[node] - b)
            p = sigmoid(z)
            residual = r - n * p
            weight = n * p * (1.0 - p)
            if with_value:
                value += r * z - n * softplus(z)
            g_a += residual * z
            g_b -= residual * a
            i_aa += weight * z * z
            i_ab -= weight * z * a
            i_bb += weight * a * a
        da, db = log_a - LOG_A_MEAN, b - B_MEAN
        pa, pb = 1.0 / LOG_A_SD ** 2, 1.0 / B_SD ** 2
        value -= 0.5 * (da * da * pa + db * db * pb)
        info = [i_aa + pa, i_ab, i_bb + pb]
        observed_aa, observed_ab = info[0] - g_a, info[1] - g_b
        if observed_aa > 0 and observed_aa * info[2] - observed_ab ** 2 > 0:
            info[0], info[1] = observed_aa, observed_ab
        return value, (g_a - da * pa, g_b - db * pb), info

    def update_item(self, item):
        counts = self.item_counts(item)
        log_a, b = self.log_a[item], self.b[item]
        value, gradient, info = self.objective(counts, log_a, b, False)
        have_value = False
        for _ in range(NEWTON_STEPS):
            determinant = info[0] * info[2] - info[1] ** 2
            step_a = (info[2] * gradient[0] - info[1] * gradient[1]) / determinant
            step_b = (info[0] * gradient[1] - info[1] * gradient[0]) / determinant
            largest = max(abs(step_a), abs(step_b))
            if largest > MAX_STEP:
                step_a, step_b, largest = step_a * MAX_STEP / largest, step_b * MAX_STEP / largest, MAX_STEP
            if largest <= SAFE_STEP:
                log_a, b = log_a + step_a, b + step_b
                if largest < 0.1 * TOLERANCE:
                    break
                value, gradient, info = self.objective(counts, log_a, b, False)
                have_value = False
                continue
            if not have_value:
                value, gradient, info = self.objective(counts, log_a, b, True)
            accepted = False
            for _ in range(20):
                trial = self.objective(counts, log_a + step_a, b + step_b, True)
                if trial[0] >= value:
                    accepted = True
                    break
                step_a, step_b = step_a * 0.5, step_b * 0.5
            if not accepted:
                break
            log_a, b = log_a + step_a, b + step_b
            value, gradient, info = trial
            have_value = True
        self.log_a[item], self.b[item] = log_a, b

    def maximisation(self):
        previous_a, previous_b = list(self.log_a), list(self.b)
        for item in range(self.items):
            self.update_item(item)
        count = float(self.subjects)
        mean = count * self.pooled_mean / (count + PRIOR_SUBJECTS)
        second = ((count * (self.pooled_variance + self.pooled_mean ** 2) + PRIOR_SUBJECTS)
                  / (count + PRIOR_SUBJECTS))
        sd = math.sqrt(second - mean * mean)
        largest = 0.0
        for item in range(self.items):
            self.b[item] = (self.b[item] - mean) / sd
            self.log_a[item] += math.log(sd)
            self.item_change[item] = max(abs(self.log_a[item] - previous_a[item]),
                                         abs(self.b[item] - previous_b[item]))
            largest = max(largest, self.item_change[item])
        return largest

    # ---- grid refinement ---------------------------------------------------
    def refine_grid(self):
        narrowest, worst, limit = math.inf, math.inf, 5.0
        for subject in range(self.subjects):
            mean, information = self.means[subject], 1.0
            for item in self.correct_items[subject] + self.incorrect_items[subject]:
                p = sigmoid(self.a[item] * mean - self.ab[item])
                information += self.a[item] ** 2 * p * (1 - p)
            sd = 1.0 / math.sqrt(information)
            narrowest = min(narrowest, sd)
            worst = min(worst, sd / self.local_spacing(mean))
            limit = max(limit, abs(mean) + 8.0 * sd)
        if worst * GRID_MAX_SPACING_RATIO >= 1.0:
            return False
        spacing = GRID_TARGET_RATIO * narrowest
        limit = min(limit, 10.0)
        if 2.0 * limit / spacing + 1 > GRID_MAX_NODES:
            spacing = 2.0 * limit / (GRID_MAX_NODES - 1)
        if self.equally_spaced and spacing >= self.spacing * 0.9:
            return False
        self.set_equally_spaced(spacing, limit)
        return True

    # ---- the EM loop with SQUAREM ------------------------------------------
    def fit(self, max_iterations=MAX_ITERATIONS):
        iteration = phase = refinements = 0
        squarem_phase, check_pending, step_limit, checkpoint = 0, False, 4.0, 0.0
        saved = [None, None, None]
        change = math.inf
        # Each iteration's start, and the loop's end, for per-iteration times
        # (the loop body has too many exits to time it from the inside).
        starts = []
        while iteration < max_iterations:
            starts.append(time.perf_counter())
            self.expectation()
            if squarem_phase == 0:
                saved[0] = (list(self.log_a), list(self.b))
            change = self.maximisation()
            iteration += 1
            phase += 1
            if check_pending:
                check_pending = False
                if not change <= checkpoint:
                    self.log_a, self.b = list(saved[2][0]), list(saved[2][1])
                    step_limit = max(1.0, step_limit / 4.0)
                    squarem_phase = 0
                    continue
            converged = change < TOLERANCE
            if refinements < GRID_MAX_REFINEMENTS and (converged or phase == GRID_FIRST_CHECK):
                if self.refine_grid():
                    refinements += 1
                    phase = 0
                    squarem_phase = 0
                    continue
            if converged:
                break
            if squarem_phase == 0:
                saved[1] = (list(self.log_a), list(self.b))
                squarem_phase = 1
                continue
            squarem_phase = 0
            saved[2] = (list(self.log_a), list(self.b))
            r2 = v2 = 0.0
            for kind in range(2):
                for item in range(self.items):
                    r = saved[1][kind][item] - saved[0][kind][item]
                    v = saved[2][kind][item] - 2 * saved[1][kind][item] + saved[0][kind][item]
                    r2, v2 = r2 + r * r, v2 + v * v
            if not v2 > 0:
                continue
            alpha = -math.sqrt(r2 / v2)
            if alpha > -1.0:
                continue
            if alpha <= -step_limit:
                alpha = -step_limit
                step_limit *= 4.0
            target = ([0.0] * self.items, [0.0] * self.items)
            for kind in range(2):
                for item in range(self.items):
                    r = saved[1][kind][item] - saved[0][kind][item]
                    v = saved[2][kind][item] - 2 * saved[1][kind][item] + saved[0][kind][item]
                    target[kind][item] = saved[0][kind][item] - 2 * alpha * r + alpha * alpha * v
            self.log_a, self.b = target
            checkpoint, check_pending = change, True
        starts.append(time.perf_counter())
        self.iteration_seconds = [later - earlier for earlier, later in zip(starts, starts[1:])]
        if check_pending:
            # Out of iterations right after a jump nobody checked: as assay
            # does, report the last plain EM iterate instead.
            self.log_a, self.b = list(saved[2][0]), list(saved[2][1])
        self.iterations, self.change = iteration, change
        self.log_likelihood = self.expectation()
        self.abilities()
        self.standard_errors()

    # ---- results -----------------------------------------------------------
    def subject_log_posterior(self, subject, theta):
        value, slope, curvature = -0.5 * theta * theta, -theta, -1.0
        for correct, items in ((True, self.correct_items[subject]),
                               (False, self.incorrect_items[subject])):
            for item in items:
                a = self.a[item]
                z = a * (theta - self.b[item])
                p = sigmoid(z)
                if correct:
                    value += z - softplus(z)
                    slope += a * (1 - p)
                else:
                    value -= softplus(z)
                    slope -= a * p
                curvature -= a * a * p * (1 - p)
        return value, slope, curvature

    def abilities(self):
        x, log_w = gauss_hermite(ADAPTIVE_NODES)
        self.ability, self.ability_sd = [], []
        for subject in range(self.subjects):
            begin, window = self.windows[subject]
            mean = self.means[subject]
            variance = sum(w * (self.nodes[begin + k] - mean) ** 2 for k, w in enumerate(window))
            peak = begin + max(range(len(window)), key=lambda k: window[k])
            left, right = max(peak - 1, 0), min(peak + 1, len(self.nodes) - 1)
            spacing = (self.nodes[right] - self.nodes[left]) / (right - left)
            sd = math.sqrt(variance)
            if sd < spacing:
                mode = mean
                for _ in range(50):
                    _, first, second = self.subject_log_posterior(subject, mode)
                    step = max(min(-first / second, 1.0), -1.0)
                    mode += step
                    if abs(step) < 1e-10:
                        break
                _, _, second = self.subject_log_posterior(subject, mode)
                scale = math.sqrt(2.0) / math.sqrt(-second)
                thetas = [mode + scale * value for value in x]
                logs = [log_w[k] + x[k] ** 2 + self.subject_log_posterior(subject, thetas[k])[0]
                        for k in range(ADAPTIVE_NODES)]
                top = max(logs)
                weights = [math.exp(value - top) for value in logs]
                total = sum(weights)
                offset = sum(w * (t - mode) for w, t in zip(weights, thetas)) / total
                second_moment = sum(w * (t - mode) ** 2 for w, t in zip(weights, thetas)) / total
                mean, sd = mode + offset, math.sqrt(max(second_moment - offset ** 2, 0.0))
            self.ability.append(mean)
            self.ability_sd.append(sd)

    def standard_errors(self):
        self.se_b, self.se_log_a = [], []
        for item in range(self.items):
            respondents, correct, _ = self.item_counts(item)
            a, b = math.exp(self.log_a[item]), self.b[item]
            h_aa = h_ab = h_bb = s_aa = s_ab = s_bb = 0.0
            probability, product = [], []
            for node, theta in enumerate(self.nodes):
                z = a * (theta - b)
                p = 1.0 / (1.0 + math.exp(-z))
                probability.append(p)
                product.append(p * z)
                n, r = respondents[node], correct[node]
                residual, weight = r - n * p, n * p * (1 - p)
                h_aa += weight * z * z - residual * z
                h_ab += -weight * z * a + residual * a
                h_bb += weight * a * a
                squared = r * (1 - p) ** 2 + (n - r) * p * p
                s_aa += squared * z * z
                s_ab -= squared * z * a
                s_bb += squared * a * a
            o_aa = o_ab = o_bb = 0.0
            for outcome, subjects in ((1.0, self.item_correct[item]), (0.0, self.item_incorrect[item])):
                for subject in subjects:
                    begin, window = self.windows[subject]
                    u = sum(w * probability[begin + k] for k, w in enumerate(window))
                    v = sum(w * product[begin + k] for k, w in enumerate(window))
                    score_a = outcome * a * (self.means[subject] - b) - v
                    score_b = -a * (outcome - u)
                    o_aa += score_a * score_a
                    o_ab += score_a * score_b
                    o_bb += score_b * score_b
            pa, pb = 1.0 / LOG_A_SD ** 2, 1.0 / B_SD ** 2
            i_aa = h_aa - (s_aa - o_aa) + pa
            i_ab = h_ab - (s_ab - o_ab)
            i_bb = h_bb - (s_bb - o_bb) + pb
            determinant = i_aa * i_bb - i_ab ** 2
            if not (i_aa > 0 and i_bb > 0 and determinant > 0):
                i_aa, i_ab, i_bb = h_aa + pa, h_ab, h_bb + pb
                determinant = i_aa * i_bb - i_ab ** 2
            self.se_log_a.append(math.sqrt(i_bb / determinant))
            self.se_b.append(math.sqrt(i_aa / determinant))


def write_estimates(model, path):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        out = csv.writer(stream)
        out.writerow(["kind", "id", "difficulty", "difficulty_se", "discrimination",
                      "discrimination_se", "ability", "ability_sd"])
        for item in range(model.items):
            a = math.exp(model.log_a[item])
            out.writerow(["item", model.item_ids[item], repr(model.b[item]), repr(model.se_b[item]),
                          repr(a), repr(a * model.se_log_a[item]), "", ""])
        for subject in range(model.subjects):
            out.writerow(["subject", model.subject_ids[subject], "", "", "", "",
                          repr(model.ability[subject]), repr(model.ability_sd[subject])])


def compare(model, path):
    """Largest absolute differences against another estimates CSV."""
    other = {}
    with open(path, newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            other[(row["kind"], row["id"])] = row
    worst = {"difficulty": 0.0, "discrimination": 0.0, "ability": 0.0, "difficulty_se": 0.0}
    for item in range(model.items):
        row = other[("item", model.item_ids[item])]
        a = math.exp(model.log_a[item])
        worst["difficulty"] = max(worst["difficulty"], abs(model.b[item] - float(row["difficulty"])))
        worst["discrimination"] = max(worst["discrimination"], abs(a - float(row["discrimination"])))
        worst["difficulty_se"] = max(worst["difficulty_se"],
                                     abs(model.se_b[item] - float(row["difficulty_se"])))
    for subject in range(model.subjects):
        row = other[("subject", model.subject_ids[subject])]
        worst["ability"] = max(worst["ability"], abs(model.ability[subject] - float(row["ability"])))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("responses")
    parser.add_argument("--out")
    parser.add_argument("--compare")
    parser.add_argument("--iterations", type=int, default=MAX_ITERATIONS)
    arguments = parser.parse_args()
    if arguments.iterations < 1:
        parser.error("--iterations must be at least 1")
    started = time.perf_counter()
    data = read_pyirt(arguments.responses)
    read = time.perf_counter()
    model = Model(data)
    model.fit(arguments.iterations)
    fitted = time.perf_counter()
    responses = sum(len(r) + len(w) for r, w in zip(data[2], data[3]))
    print(f"python: {model.subjects} subjects, {model.items} items, {responses} responses; "
          f"read {read - started:.3f} s, fit {fitted - read:.3f} s; {model.iterations} iterations, "
          f"{len(model.nodes)} nodes, log-likelihood {model.log_likelihood:.3f}", file=sys.stderr)
    print(f"python_read_seconds={read - started:.6f}")
    print(f"python_fit_seconds={fitted - read:.6f}")
    print(f"python_iterations={model.iterations}")
    # One EM iteration: the mean over iterations 2..N, as assay's driver
    # measures it (the first may differ: it starts from the initial values).
    times = model.iteration_seconds[1:] or model.iteration_seconds
    print(f"python_iteration_seconds={sum(times) / len(times):.6f}")
    if arguments.out:
        write_estimates(model, arguments.out)
    if arguments.compare:
        worst = compare(model, arguments.compare)
        print("agreement with " + arguments.compare + ": largest |difference| " +
              ", ".join(f"{name} {value:.2e}" for name, value in worst.items()), file=sys.stderr)
        for name, value in worst.items():
            print(f"max_difference_{name}={value:.3e}")


if __name__ == "__main__":
    main()
