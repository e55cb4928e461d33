//! The Provider service, written once for both protocol versions. Versions 5 and 6 differ
//! only in the names of a few RPCs and messages, which the macro takes as parameters.

/// Writes the service struct `$svc` implementing `$pb`'s Provider trait on the engine.
macro_rules! provider_service {
    (
        $svc:ident, $pb:ident,
        get_schema: $get_schema:ident = $get_schema_name:literal,
        validate_provider: $validate_provider:ident / $validate_provider_msg:ident
            = $validate_provider_name:literal,
        validate_resource: $validate_resource:ident / $validate_resource_msg:ident
            = $validate_resource_name:literal,
        validate_data: $validate_data:ident / $validate_data_msg:ident
            = $validate_data_name:literal,
        configure: $configure:ident / $configure_msg:ident = $configure_name:literal,
        stop: $stop:ident / $stop_msg:ident $(,)?
    ) => {
        use std::sync::{Arc, OnceLock};

        use tonic::{Request, Response, Status};

        use crate::framework::server::ProviderServer;
        use crate::protocol::guard::{guarded, Call};

        crate::protocol::convert::conversions!($pb);

        type R<T> = Result<Response<T>, Status>;

        /// The provider service of one protocol version.
        pub struct $svc {
            engine: Arc<ProviderServer>,
            /// The GetProviderSchema answer, built on the first call. Schemas never change
            /// while the process runs, and Terraform asks for them in every command; building
            /// the answer each time cost about a tenth of a call's CPU.
            schema_answer: Arc<OnceLock<pb::get_provider_schema::Response>>,
        }

        impl $svc {
            /// Wraps the engine.
            pub fn new(engine: Arc<ProviderServer>) -> Self {
                Self {
                    engine,
                    schema_answer: Arc::default(),
                }
            }
        }

        /// Every schema on the wire, or the diagnostics saying why this version cannot carry
        /// them.
        fn schema_answer(e: &ProviderServer) -> pb::get_provider_schema::Response {
            match schemas(e) {
                Ok((provider, resource_schemas, data_source_schemas)) => {
                    pb::get_provider_schema::Response {
                        provider: Some(provider),
                        resource_schemas,
                        data_source_schemas,
                        server_capabilities: Some(capabilities()),
                        ..Default::default()
                    }
                }
                Err(d) => pb::get_provider_schema::Response {
                    diagnostics: diagnostics(d),
                    ..Default::default()
                },
            }
        }

        /// Capabilities we opt into: destroy plans go through PlanResourceChange (TF >= 1.3).
        fn capabilities() -> pb::ServerCapabilities {
            pb::ServerCapabilities {
                plan_destroy: true,
                ..Default::default()
            }
        }

        /// The ValidateProviderConfig answer. Protocol 5's PrepareProviderConfig answer also has
        /// `prepared_config`, which stays empty (Terraform then keeps the configuration as is);
        /// protocol 6's has nothing else, so the struct update is needless there only.
        #[allow(clippy::needless_update)]
        fn validate_provider_answer(d: Diagnostics) -> pb::$validate_provider_msg::Response {
            pb::$validate_provider_msg::Response {
                diagnostics: diagnostics(d),
                ..Default::default()
            }
        }

        fn unsupported(what: &str) -> Diagnostics {
            let mut d = Diagnostics::default();
            d.error(
                format!("{what} Is Not Supported"),
                format!("This provider does not offer {what}."),
            );
            d
        }

        #[tonic::async_trait]
        impl pb::provider_server::Provider for $svc {
            async fn get_metadata(
                &self,
                _: Request<pb::get_metadata::Request>,
            ) -> R<pb::get_metadata::Response> {
                let e = self.engine.clone();
                guarded(
                    Call::new("GetMetadata"),
                    async move {
                        pb::get_metadata::Response {
                            server_capabilities: Some(capabilities()),
                            resources: e
                                .resource_schemas()
                                .map(|(n, _)| pb::get_metadata::ResourceMetadata {
                                    type_name: n.into(),
                                })
                                .collect(),
                            data_sources: e
                                .data_source_schemas()
                                .map(|(n, _)| pb::get_metadata::DataSourceMetadata {
                                    type_name: n.into(),
                                })
                                .collect(),
                            ..Default::default()
                        }
                    },
                    |d| pb::get_metadata::Response {
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn $get_schema(
                &self,
                _: Request<pb::get_provider_schema::Request>,
            ) -> R<pb::get_provider_schema::Response> {
                let (e, answer) = (self.engine.clone(), self.schema_answer.clone());
                guarded(
                    Call::new($get_schema_name),
                    // A panic while building leaves the cell empty, so the next call retries.
                    async move { answer.get_or_init(|| schema_answer(&e)).clone() },
                    |d| pb::get_provider_schema::Response {
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn $validate_provider(
                &self,
                r: Request<pb::$validate_provider_msg::Request>,
            ) -> R<pb::$validate_provider_msg::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::new($validate_provider_name),
                    async move {
                        validate_provider_answer(e.validate_provider_config(&dynamic_in(r.config)))
                    },
                    validate_provider_answer,
                )
                .await
            }

            async fn $validate_resource(
                &self,
                r: Request<pb::$validate_resource_msg::Request>,
            ) -> R<pb::$validate_resource_msg::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::on($validate_resource_name, &r.type_name),
                    async move {
                        let d = e.validate_resource_config(&r.type_name, &dynamic_in(r.config));
                        pb::$validate_resource_msg::Response {
                            diagnostics: diagnostics(d),
                        }
                    },
                    |d| pb::$validate_resource_msg::Response {
                        diagnostics: diagnostics(d),
                    },
                )
                .await
            }

            async fn $validate_data(
                &self,
                r: Request<pb::$validate_data_msg::Request>,
            ) -> R<pb::$validate_data_msg::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::on($validate_data_name, &r.type_name),
                    async move {
                        let d = e.validate_data_source_config(&r.type_name, &dynamic_in(r.config));
                        pb::$validate_data_msg::Response {
                            diagnostics: diagnostics(d),
                        }
                    },
                    |d| pb::$validate_data_msg::Response {
                        diagnostics: diagnostics(d),
                    },
                )
                .await
            }

            async fn upgrade_resource_state(
                &self,
                r: Request<pb::upgrade_resource_state::Request>,
            ) -> R<pb::upgrade_resource_state::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::on("UpgradeResourceState", &r.type_name),
                    async move {
                        let raw = r.raw_state.map(|s| s.json).unwrap_or_default();
                        let (state, d) = e.upgrade_resource_state(&r.type_name, r.version, &raw);
                        pb::upgrade_resource_state::Response {
                            upgraded_state: dynamic_out(state),
                            diagnostics: diagnostics(d),
                        }
                    },
                    |d| pb::upgrade_resource_state::Response {
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn $configure(
                &self,
                r: Request<pb::$configure_msg::Request>,
            ) -> R<pb::$configure_msg::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::new($configure_name),
                    async move {
                        let d = e
                            .configure(&r.terraform_version, &dynamic_in(r.config))
                            .await;
                        pb::$configure_msg::Response {
                            diagnostics: diagnostics(d),
                        }
                    },
                    |d| pb::$configure_msg::Response {
                        diagnostics: diagnostics(d),
                    },
                )
                .await
            }

            async fn read_resource(
                &self,
                r: Request<pb::read_resource::Request>,
            ) -> R<pb::read_resource::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                let fallback_state = r.current_state.clone();
                guarded(
                    Call::on("ReadResource", &r.type_name),
                    async move {
                        let out = e
                            .read_resource(&r.type_name, &dynamic_in(r.current_state), r.private)
                            .await;
                        pb::read_resource::Response {
                            new_state: dynamic_out(out.state),
                            diagnostics: diagnostics(out.diagnostics),
                            private: out.private,
                        }
                    },
                    move |d| pb::read_resource::Response {
                        // Never drop an object from state because the provider failed.
                        new_state: fallback_state,
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn plan_resource_change(
                &self,
                r: Request<pb::plan_resource_change::Request>,
            ) -> R<pb::plan_resource_change::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::on("PlanResourceChange", &r.type_name),
                    async move {
                        let out = e
                            .plan_resource_change(
                                &r.type_name,
                                &dynamic_in(r.prior_state),
                                &dynamic_in(r.proposed_new_state),
                                &dynamic_in(r.config),
                                r.prior_private,
                            )
                            .await;
                        pb::plan_resource_change::Response {
                            planned_state: dynamic_out(out.planned_state),
                            requires_replace: out.requires_replace.iter().map(path).collect(),
                            planned_private: out.planned_private,
                            diagnostics: diagnostics(out.diagnostics),
                            legacy_type_system: false,
                        }
                    },
                    |d| pb::plan_resource_change::Response {
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn apply_resource_change(
                &self,
                r: Request<pb::apply_resource_change::Request>,
            ) -> R<pb::apply_resource_change::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                let fallback_state = r.prior_state.clone();
                guarded(
                    Call::on("ApplyResourceChange", &r.type_name),
                    async move {
                        let out = e
                            .apply_resource_change(
                                &r.type_name,
                                &dynamic_in(r.prior_state),
                                &dynamic_in(r.planned_state),
                                &dynamic_in(r.config),
                                r.planned_private,
                            )
                            .await;
                        pb::apply_resource_change::Response {
                            new_state: dynamic_out(out.state),
                            private: out.private,
                            diagnostics: diagnostics(out.diagnostics),
                            legacy_type_system: false,
                        }
                    },
                    move |d| pb::apply_resource_change::Response {
                        new_state: fallback_state,
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn import_resource_state(
                &self,
                r: Request<pb::import_resource_state::Request>,
            ) -> R<pb::import_resource_state::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::on("ImportResourceState", &r.type_name),
                    async move {
                        let (state, d) = e.import_resource_state(&r.type_name, &r.id).await;
                        let imported = state.map(|s| pb::import_resource_state::ImportedResource {
                            type_name: r.type_name.clone(),
                            state: dynamic_out(Some(s)),
                            private: Vec::new(),
                        });
                        pb::import_resource_state::Response {
                            imported_resources: imported.into_iter().collect(),
                            diagnostics: diagnostics(d),
                        }
                    },
                    |d| pb::import_resource_state::Response {
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn move_resource_state(
                &self,
                _: Request<pb::move_resource_state::Request>,
            ) -> R<pb::move_resource_state::Response> {
                Ok(Response::new(pb::move_resource_state::Response {
                    diagnostics: diagnostics(unsupported(
                        "Moving State From Another Resource Type",
                    )),
                    ..Default::default()
                }))
            }

            async fn read_data_source(
                &self,
                r: Request<pb::read_data_source::Request>,
            ) -> R<pb::read_data_source::Response> {
                let (e, r) = (self.engine.clone(), r.into_inner());
                guarded(
                    Call::on("ReadDataSource", &r.type_name),
                    async move {
                        let out = e
                            .read_data_source(&r.type_name, &dynamic_in(r.config))
                            .await;
                        pb::read_data_source::Response {
                            state: dynamic_out(out.state),
                            diagnostics: diagnostics(out.diagnostics),
                        }
                    },
                    |d| pb::read_data_source::Response {
                        diagnostics: diagnostics(d),
                        ..Default::default()
                    },
                )
                .await
            }

            async fn get_functions(
                &self,
                _: Request<pb::get_functions::Request>,
            ) -> R<pb::get_functions::Response> {
                // No provider-defined functions: an empty set, not an error.
                Ok(Response::new(pb::get_functions::Response::default()))
            }

            async fn call_function(
                &self,
                r: Request<pb::call_function::Request>,
            ) -> R<pb::call_function::Response> {
                let name = r.into_inner().name;
                Ok(Response::new(pb::call_function::Response {
                    result: None,
                    error: Some(pb::FunctionError {
                        text: format!("This provider has no function named \"{name}\"."),
                        function_argument: None,
                    }),
                }))
            }

            async fn $stop(
                &self,
                _: Request<pb::$stop_msg::Request>,
            ) -> R<pb::$stop_msg::Response> {
                crate::log_info!("StopProvider received; cancelling operations in flight");
                self.engine.stop();
                Ok(Response::new(pb::$stop_msg::Response {
                    error: String::new(),
                }))
            }
        }
    };
}

pub(crate) use provider_service;
