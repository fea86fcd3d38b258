/**
 * `mesos-apply completion`: a bash/zsh script that asks the CLI itself for candidates
 * (`mesos-apply --get-yargs-completions <words>`, answered by yargs). Printed by us
 * because yargs' own completion command is shadowed by the default command (apply).
 */
export function completionScript(shell: string | undefined): string {
  if (shell && /zsh/.test(shell)) {
    return `#compdef mesos-apply
_mesos_apply() {
  local -a candidates
  candidates=("\${(@f)$(mesos-apply --get-yargs-completions "\${words[@]:1}" 2>/dev/null)}")
  _describe 'mesos-apply' candidates
}
compdef _mesos_apply mesos-apply
`;
  }
  return `# mesos-apply bash completion: source <(mesos-apply completion)
_mesos_apply_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local candidates
  candidates=$(mesos-apply --get-yargs-completions "\${COMP_WORDS[@]:1}" 2>/dev/null)
  COMPREPLY=( $(compgen -W "\${candidates}" -- "\${cur}") )
}
complete -o bashdefault -o default -F _mesos_apply_complete mesos-apply
`;
}
