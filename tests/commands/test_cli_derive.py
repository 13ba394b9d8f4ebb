"""The `symjac derive` command: output, JSON, exit codes, one-line errors."""
import json
import subprocess
import sys

import pytest

from symjac.cli import main


def run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_derive_notes_prints_the_notes_matrix_and_its_verification(capsys):
    code, out, err = run(["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--convention", "notes"], capsys)
    assert code == 0, err
    assert "convention: NOTES (outputs column-first, inputs row-first, numerator layout)" in out
    assert "[2*A_11       0  2*A_21       0  2*A_31       0]" in out
    assert "proven symbolically" in out and "5 random points" in out


def test_derive_json_has_convention_shape_entries_and_verification(capsys):
    code, out, _ = run(["derive", "A @ x", "--wrt", "A", "--shape", "A=2x3", "--shape", "x=3",
                        "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["convention"] == {"name": "vec", "kind": "flat", "outputs": "col", "inputs": "col",
                                  "layout": "numerator"}
    assert data["wrt"] == ["A"]
    assert data["shape"] == [2, 6]
    assert data["entries"][0] == ["x_1", "0", "x_2", "0", "x_3", "0"]
    assert data["entries_latex"][1][0] == "0" and data["entries_latex"][0][0] == "x_{1}"
    assert data["verification"]["proven"] is True
    ver = data["verification"]
    assert ver["how"] == "exact" and ver["independent"] is True and ver["complete"] is True
    assert ver["also"][0]["how"] == "finite differences" and ver["also"][0]["points"] == 5


def test_derive_latex_and_markdown(capsys):
    code, out, _ = run(["derive", "A @ x + b", "--wrt", "x", "--shape", "A=2x2", "--shape", "x=2",
                        "--shape", "b=2", "--format", "latex"], capsys)
    assert code == 0
    assert out.startswith("% symjac derive: the Jacobian of A @ x + b by x")   # a complete statement (issue 15)
    assert "\n" + r"\frac{\partial F}{\partial x^{\top}} = \begin{bmatrix}" in out and "Let $F = A x + b$" in out
    code, out, _ = run(["derive", "A @ x + b", "--wrt", "x", "--shape", "A=2x2", "--shape", "x=2",
                        "--shape", "b=2", "--format", "markdown"], capsys)
    assert "$$" in out and "Convention: **VEC**" in out


def test_stacked_variables(capsys):
    code, out, _ = run(["derive", "tanh(W @ a + b)", "--wrt", "W", "--wrt", "a", "--wrt", "b",
                        "--shape", "W=2x3", "--shape", "a=3", "--shape", "b=2", "--format", "json"], capsys)
    assert code == 0 and json.loads(out)["shape"] == [2, 6 + 3 + 2]


@pytest.mark.parametrize("argv, message", [
    (["derive", "A @ A", "--wrt", "A", "--shape", "A=3x2"], "cannot multiply 3x2 by 3x2"),
    (["derive", "A @ B", "--wrt", "A", "--shape", "A=3x2"], "unknown name 'B'"),
    (["derive", "A.T @", "--wrt", "A", "--shape", "A=3x2"], "syntax error"),
    (["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--convention", "foo"], "unknown convention 'foo'"),
    (["derive", "A.T @ A", "--wrt", "Z", "--shape", "A=3x2"], "cannot differentiate by 'Z'"),
    (["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--shape", "A=2x2"], "declares A twice"),
    (["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--points", "-1"], "must be between 0 and 1000, got -1"),
    (["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--points", "100000000"], "must be between 0 and 1000"),
    (["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3x2", "--seed", "-5"], "must be between 0 and"),
    (["derive", "matrix_power(A, 1000000)", "--wrt", "A", "--shape", "A=2x2"], "power 1000000 is larger than 64"),
    (["derive", "A.T @ A", "--wrt", "A", "--shape", "A=3"], None),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    try:
        code, out, err = run(argv, capsys)
    except SystemExit as exc:  # argparse usage errors exit through SystemExit(2)
        code, err = exc.code, capsys.readouterr().err
    if message is None:  # A declared as a 3-vector: A.T @ A is a scalar, fine
        assert code == 0
        return
    assert code == 2
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_help_and_usage_errors_exit_codes():
    proc = subprocess.run([sys.executable, "-m", "symjac.cli", "derive", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--convention" in proc.stdout and "examples:" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "symjac.cli", "derive"], capture_output=True, text=True)
    assert proc.returncode == 2 and "required" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "symjac.cli"], capture_output=True, text=True)
    assert proc.returncode == 2


def test_closed_form_next_to_the_explicit_matrix(capsys):
    code, out, _ = run(["derive", "A @ x", "--wrt", "A", "--shape", "A=2x3", "--shape", "x=3",
                        "--closed-form", "--points", "2"], capsys)
    assert code == 0
    assert "closed form: xᵀ ⊗ I₂" in out and "[x_1    0  x_2    0  x_3    0]" in out


def test_symbolic_sizes_give_the_closed_form_alone_with_its_proof(capsys):
    code, out, _ = run(["derive", "A.T @ A", "--wrt", "A", "--shape", "A=mxn", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert "entries" not in data
    cf = data["closed_form"]
    assert cf["expr"] == "(I_n ⊗ Aᵀ) + (Aᵀ ⊗ I_n) K_{m,n}"
    assert cf["latex"] == r"\left(I_{n} \otimes A^{\top}\right) + \left(A^{\top} \otimes I_{n}\right) K_{m,n}"
    assert cf["convention"]["name"] == "vec"
    assert len(cf["proof"]["sizes"]) >= 3
    assert cf["verification"]["how"] == "exact" and cf["verification"]["proven"] is False
    assert len(cf["verification"]["sizes"]) >= 3 and set(cf["verification"]["sizes"][0]) == {"m", "n"}


def test_derive_json_wrt_is_a_list_of_the_stacked_names(capsys):
    code, out, _ = run(["derive", "tanh(W @ a + b)", "--wrt", "W", "--wrt", "a", "--wrt", "b", "--shape", "W=2x3",
                        "--shape", "a=3", "--shape", "b=2", "--points", "2", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["wrt"] == ["W", "a", "b"] and data["shape"] == [2, 11]


def test_relu_is_proven_now_that_its_derivative_is_a_registry_rule(capsys):
    """Issue 11 (5): relu′ comes from the registry (checked there against Max(0, z)), so the engine no
    longer falls back to SymPy's diff and SymPy's own differentiation is an independent reference."""
    code, out, _ = run(["derive", "relu(W @ x)", "--wrt", "x", "--shape", "W=2x2", "--shape", "x=2",
                        "--format", "json"], capsys)
    assert code == 0
    ver = json.loads(out)["verification"]
    assert ver["proven"] is True and ver["independent"] is True and ver["passed"] is True


def test_a_record_is_not_proven_when_the_engine_used_sympy_diff():
    """Issue 11 (5): a variable exponent has no rule; the engine asks SymPy's diff, so the exact check
    against SymPy's diff is not independent and the record must not say proven."""
    import sympy as sp
    from symjac import vector
    from symjac.verification import verify_jacobian

    x = vector("x", 2)
    F = sp.Matrix([[x[0] ** x[1]]])
    ver = verify_jacobian(F, x, points=3)
    assert ver.agrees and not ver.independent and not ver.proven
    assert "not independently" in ver.describe() and "proven" not in ver.describe()


def test_closed_form_hessian_flag(capsys):
    code, out, err = run(["derive", "trace(X.T @ A @ X)", "--wrt", "X", "--shape", "X=mxn", "--shape", "A=mxm",
                          "--hessian", "--format", "json"], capsys)
    assert code == 0, err
    cf = json.loads(out)["closed_form"]
    assert cf["kind"] == "hessian" and cf["expr"] == "I_n ⊗ (A + Aᵀ)"
    assert cf["convention"]["name"] == "hessian"


def test_closed_form_proof_sizes_and_several_wrt(capsys):
    code, out, err = run(["derive", "norm(W @ a + b)**2", "--wrt", "W", "--wrt", "a", "--shape", "W=mxn",
                          "--shape", "a=n", "--shape", "b=m", "--convention", "gradient", "--sizes", "m=3,n=2",
                          "--sizes", "m=2,n=3", "--sizes", "m=4,n=1", "--format", "json"], capsys)
    assert code == 0, err
    data = json.loads(out)
    assert [c["variable"] for c in data["closed_forms"]] == ["W", "a"]
    assert data["closed_forms"][0]["proof"]["sizes"] == [[3, 2], [2, 3], [4, 1]]
    assert data["closed_forms"][0]["convention"]["name"] == "gradient"
    assert data["closed_forms"][1]["expr"] == "2 Wᵀ (W a + b)"


def test_bad_sizes_is_one_line_exit_2(capsys):
    code, out, err = run(["derive", "A.T @ A", "--wrt", "A", "--shape", "A=mxn", "--sizes", "m=__import__"], capsys)
    assert code == 2 and "cannot read --sizes" in err and err.count("\n") == 1
