#!/usr/bin/env bash
# Executes the notebooks of this folder in place with the GoNB Go kernel, so
# that each file keeps its outputs and figures, and fails if any cell failed.
#
#   notebooks/run.sh                          # every notebooks/*.ipynb
#   notebooks/run.sh notebooks/cosmos_eb.ipynb  # the ones named
#
# It first installs what is missing: jupyter-nbconvert from Debian's packages
# (as root, like .ci/run), and GoNB and goimports at the versions pinned in
# tools/go.mod. The GoNB kernel is installed for this run only. The notebooks
# read the reference data from shared/data beside the repository, or from
# $SKYINV_DATA.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

notebooks=()
for arg in "$@"; do
	notebooks+=("$(realpath "$arg")")
done
if ((${#notebooks[@]} == 0)); then
	notebooks=("$here"/*.ipynb)
fi

if ! command -v jupyter-nbconvert >/dev/null 2>&1; then
	if [[ $(id -u) != 0 ]]; then
		echo "jupyter-nbconvert is missing: install the Debian package jupyter-nbconvert (sudo apt-get install jupyter-nbconvert) and run again" >&2
		exit 1
	fi
	echo "installing jupyter-nbconvert"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jupyter-nbconvert >/dev/null
fi

# GoNB and goimports go where go install puts programs; the kernel finds
# goimports on the PATH. gopls, pinned in tools/go.mod as well, only serves
# completion in an interactive session, so the kernel is installed without it.
gobin=$(go env GOBIN)
if [[ -z $gobin ]]; then
	gobin=$(go env GOPATH | cut -d: -f1)/bin
fi
export PATH="$gobin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(
	cd "$here/tools"
	go install github.com/janpfeifer/gonb golang.org/x/tools/cmd/goimports
	# The checker of the executed notebooks must itself catch failures.
	go vet ./nbcheck
	if ! go test -count=1 ./nbcheck >"$work/test.log" 2>&1; then
		cat "$work/test.log" >&2
		exit 1
	fi
	go build -o "$work/nbcheck" ./nbcheck
)
# The kernel goes into a Jupyter data folder of this run only, so the user's
# Jupyter setup is left as it is. --raw_error makes GoNB report compile errors
# as plain text, which nbcheck prints, instead of HTML.
export JUPYTER_DATA_DIR="$work/jupyter"
if ! gonb --install --force_deps --raw_error >"$work/install.log" 2>&1; then
	cat "$work/install.log" >&2
	exit 1
fi

status=0
for nb in "${notebooks[@]}"; do
	name=$(basename "$nb")
	start=$(date +%s.%N)
	# --allow-errors keeps executing after a failed cell and records the error
	# in the notebook, where nbcheck reports it with the other failures.
	if ! jupyter nbconvert --to notebook --execute --inplace --allow-errors \
		--ExecutePreprocessor.kernel_name=gonb \
		--ExecutePreprocessor.timeout=600 \
		--ExecutePreprocessor.record_timing=False \
		"$nb" >"$work/nbconvert.log" 2>&1; then
		# The log is mostly the kernel's and long, so show its end, which has the reason.
		tail -n 40 "$work/nbconvert.log" >&2
		echo "$name: jupyter nbconvert failed" >&2
		status=1
	fi
	end=$(date +%s.%N)
	if ! "$work/nbcheck" "$nb"; then
		status=1
	fi
	awk -v name="$name" -v s="$start" -v e="$end" 'BEGIN { printf "%s: executed in %.1f s\n", name, e - s }'
done
if ((status != 0)); then
	echo "notebooks: failures above; the outputs are in the notebooks" >&2
fi
exit $status
