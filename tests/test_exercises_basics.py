"""The checkers of notebooks 01-04 (nas_kit.exercises.reinforce, cell_space, nas_rl, aging): each passes the
right answer and rejects a plausible wrong one, naming the case that shows it and the hint that fixes it."""
import contextlib
import io
import itertools
import math

import pytest
import torch

from nas_kit.exercises.aging import check_aging_step, check_op_mutation
from nas_kit.exercises.cell_space import check_cell_space_size, check_enumerate_cells
from nas_kit.exercises.nas_rl import check_nas_rl_reward, check_reinforce_loss
from nas_kit.exercises.reinforce import check_moving_average_baseline, check_reinforce_update


def _said(check, fn):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        passed = check(fn)
    return passed, out.getvalue()


def reinforce_update(theta, k, R, b, lr):
    grad = -torch.softmax(theta, 0)
    grad[k] += 1
    return theta + lr * (R - b) * grad


def baselines(rewards, decay):
    out = []
    for r in rewards:
        out.append(r if not out else decay * out[-1] + (1 - decay) * r)
    return out


def cell_space_size(n_ops, nodes, distinct_inputs, shared):
    cell = math.prod(math.comb(j + 2, 2) * n_ops ** 2 if distinct_inputs else ((j + 2) * n_ops) ** 2
                     for j in range(nodes))
    return cell if shared else cell ** 2


def enumerate_cells(ops, nodes, distinct_inputs):
    per_node = []
    for j in range(nodes):
        pairs = itertools.combinations(range(j + 2), 2) if distinct_inputs else itertools.product(range(j + 2), repeat=2)
        per_node.append([[(op_a, a), (op_b, b)] for a, b in pairs for op_a in ops for op_b in ops])
    return [sum(cell, []) for cell in itertools.product(*per_node)]


def nas_rl_reward(accuracies, last, power):
    return max(accuracies[-last:]) ** power


def reinforce_loss(log_probs, rewards, baseline):
    return -((rewards - baseline) * log_probs.sum(1)).mean()


def aging_step(population, sample, mutate, evaluate):
    parent = max((population[i] for i in sample), key=lambda member: member[1])[0]
    child = mutate(parent)
    return population[1:] + [(child, evaluate(child))]


def op_mutation(arch, edge, choice, ops):
    others = [op for op in ops if op != arch[edge]]
    return tuple(others[choice] if i == edge else op for i, op in enumerate(arch))


def kill_the_worst(population, sample, mutate, evaluate):
    parent = max((population[i] for i in sample), key=lambda member: member[1])[0]
    worst = min(range(len(population)), key=lambda i: population[i][1])
    return [m for i, m in enumerate(population) if i != worst] + [(mutate(parent), evaluate(mutate(parent)))]


RIGHT_AND_WRONG = {
    "reinforce update, advantage b - R": (
        check_reinforce_update, reinforce_update, lambda t, k, R, b, lr: reinforce_update(t, k, b, R, lr),
        'Case "reward above the baseline"', "the advantage is R - b, not b - R"),
    "baseline, weights swapped": (
        check_moving_average_baseline, baselines, lambda rewards, decay: baselines(rewards, 1 - decay),
        'Case "decay 0.9, 40 steps"', "b = decay * b + (1 - decay) * R"),
    "baseline, starting at 0": (
        check_moving_average_baseline, baselines, lambda rewards, decay: baselines([0.0] + rewards, decay)[1:],
        'Case "decay 0.9, 40 steps"', "b starts at the first reward"),
    "cell size, DARTS counted with ordered pairs": (
        check_cell_space_size, cell_space_size, lambda n, B, d, s: cell_space_size(n, B, False, s),
        'Case "DARTS: 7 ops, 4 nodes, distinct inputs"', "math.comb(j + 2, 2)"),
    "cell size, a shared cell squared": (
        check_cell_space_size, cell_space_size, lambda n, B, d, s: cell_space_size(n, B, d, False),
        'Case "PNAS, 1 block: 256 cells"', "unless the cell is shared"),
    "cell size as a float": (
        check_cell_space_size, cell_space_size, lambda *a: float(cell_space_size(*a)),
        "a float where an exact int was expected", "the exact count"),
    "enumeration, a node reading one input twice": (
        check_enumerate_cells, enumerate_cells, lambda ops, B, d: enumerate_cells(ops, B, False),
        'Case "1 node, 3 ops, distinct inputs"', "never a == b"),
    "reward, the last epoch": (
        check_nas_rl_reward, nas_rl_reward, lambda acc, last, power: acc[-1] ** power,
        'Case "10 epochs, the best of the last 5 in the middle"', "not the last one"),
    "reward, not cubed": (
        check_nas_rl_reward, nas_rl_reward, lambda acc, last, power: max(acc[-last:]),
        'Case "10 epochs, the best of the last 5 in the middle"', "then cube it"),
    "REINFORCE loss, no minus sign": (
        check_reinforce_loss, reinforce_loss, lambda lp, R, b: -reinforce_loss(lp, R, b),
        'Case "m = 4 children, 6 decisions"', "and negate"),
    "REINFORCE loss, no baseline": (
        check_reinforce_loss, reinforce_loss, lambda lp, R, b: reinforce_loss(lp, R, 0.0),
        'Case "m = 4 children, 6 decisions"', "weight the sum by R_k - b"),
    "aging step, killing the worst": (
        check_aging_step, aging_step, kill_the_worst, 'Case "P = 6, S = 3"', "remove population[0], the oldest"),
    "aging step, the best of the whole population": (
        check_aging_step, aging_step,
        lambda p, s, m, e: aging_step(p, range(len(p)), m, e),
        'Case "P = 6, S = 3"', "population[i] for i in sample"),
    "op mutation among all ops": (
        check_op_mutation, op_mutation, lambda a, e, c, ops: tuple(ops[c] if i == e else x for i, x in enumerate(a)),
        'Case "the last edge"', "others = [op for op in ops if op != arch[edge]]"),
}


@pytest.mark.parametrize("name", RIGHT_AND_WRONG)
def test_the_checker_passes_the_right_answer_and_names_the_case_and_hint_of_a_wrong_one(name):
    check, right, wrong, case, hint = RIGHT_AND_WRONG[name]
    passed, said = _said(check, right)
    assert passed and said.count("\n") == 1 and ": passed (" in said, said
    passed, said = _said(check, wrong)
    assert not passed and said.count("\n") == 1 and ": not passed." in said, said
    assert case in said and hint in said, said


def test_an_in_place_update_of_theta_is_judged_on_its_own_copy():
    def in_place(theta, k, R, b, lr):
        grad = -torch.softmax(theta, 0)
        grad[k] += 1
        return theta.add_(lr * (R - b) * grad)
    assert _said(check_reinforce_update, in_place)[0]
